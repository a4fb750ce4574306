//! Mapping between VAN's records and the canonical model.
//!
//! Each function maps one record and reports problems as `(field, message)`
//! pairs; the connector turns them into [`canvass_core::RecordIssue`]s. Bad
//! phones and emails are kept with `valid: false`, never dropped.

use canvass_core::normalize::clean_name;
use canvass_core::{
    Attendance, AttendanceStatus, Email, Event, ExternalId, Extra, Person, Phone, PhoneKind,
    PostalAddress, Shift, SourceRef, SubscriptionStatus, SurveyOption, SurveyQuestion, Tag,
};
use chrono::NaiveDate;

use crate::SYSTEM;
use crate::client::CsvFile;
use crate::models;

/// A problem with one field of a record: `(JSON path or column, message)`.
pub type FieldIssue = (String, String);

/// VAN's SMS opt-in status (`I`/`O`/`U` or `Opt-In`/`Opt-Out`/`Unknown`) in the canonical form.
///
/// ```
/// use canvass_core::SubscriptionStatus;
/// use canvass_van::mapping::sms_status;
/// assert_eq!(sms_status("O"), SubscriptionStatus::Unsubscribed);
/// assert_eq!(sms_status("Opt-In"), SubscriptionStatus::Subscribed);
/// assert_eq!(sms_status("Pending"), SubscriptionStatus::Other("Pending".into()));
/// ```
pub fn sms_status(text: &str) -> SubscriptionStatus {
    match text
        .trim()
        .to_ascii_lowercase()
        .replace(['-', ' ', '_'], "")
        .as_str()
    {
        "i" | "optin" | "optedin" => SubscriptionStatus::Subscribed,
        "o" | "optout" | "optedout" => SubscriptionStatus::Unsubscribed,
        "u" | "unknown" | "" => SubscriptionStatus::Unknown,
        _ => SubscriptionStatus::Other(text.to_string()),
    }
}

/// VAN's phone type (`C`, `Cell`, `H`, `Home`, …) as a [`PhoneKind`].
pub fn phone_kind(text: Option<&str>) -> PhoneKind {
    match text.map(|t| t.trim().to_ascii_lowercase()).as_deref() {
        Some("c" | "cell" | "m" | "mobile" | "cellphone") => PhoneKind::Mobile,
        Some("h" | "home" | "w" | "work" | "landline") => PhoneKind::Landline,
        Some("f" | "fax") => PhoneKind::Other("fax".into()),
        _ => PhoneKind::Unknown,
    }
}

/// The request-side phone type code for a [`PhoneKind`].
pub fn phone_type_code(kind: &PhoneKind) -> Option<&'static str> {
    match kind {
        PhoneKind::Mobile => Some("C"),
        PhoneKind::Landline => Some("H"),
        _ => None,
    }
}

/// VAN's signup status name as a canonical [`AttendanceStatus`]; unknown
/// names are kept in `Other`.
///
/// ```
/// use canvass_core::AttendanceStatus;
/// use canvass_van::mapping::attendance_status;
/// assert_eq!(attendance_status("Completed"), AttendanceStatus::Attended);
/// assert_eq!(attendance_status("No Show"), AttendanceStatus::NoShow);
/// assert_eq!(attendance_status("Left Msg"), AttendanceStatus::Other("Left Msg".into()));
/// ```
pub fn attendance_status(name: &str) -> AttendanceStatus {
    match name
        .trim()
        .to_ascii_lowercase()
        .replace(['-', ' ', '_'], "")
        .as_str()
    {
        "scheduled" => AttendanceStatus::Registered,
        "confirmed" => AttendanceStatus::Confirmed,
        "completed" => AttendanceStatus::Attended,
        "noshow" => AttendanceStatus::NoShow,
        "walkin" => AttendanceStatus::WalkIn,
        "declined" => AttendanceStatus::Declined,
        "cancelled" | "canceled" => AttendanceStatus::Cancelled,
        "invited" => AttendanceStatus::Invited,
        "tentative" => AttendanceStatus::Tentative,
        _ => AttendanceStatus::Other(name.to_string()),
    }
}

/// The VAN signup status name for a canonical status.
pub fn van_status_name(status: &AttendanceStatus) -> &str {
    match status {
        AttendanceStatus::Registered => "Scheduled",
        AttendanceStatus::Confirmed => "Confirmed",
        AttendanceStatus::Attended => "Completed",
        AttendanceStatus::NoShow => "No Show",
        AttendanceStatus::WalkIn => "Walk In",
        AttendanceStatus::Declined => "Declined",
        AttendanceStatus::Cancelled => "Cancelled",
        AttendanceStatus::Invited => "Invited",
        AttendanceStatus::Tentative => "Tentative",
        other => other.as_str(),
    }
}

fn date_of(text: &str) -> Option<NaiveDate> {
    let t = text.trim();
    let head = t.get(..10).unwrap_or(t);
    NaiveDate::parse_from_str(head, "%Y-%m-%d")
        .ok()
        .or_else(|| NaiveDate::parse_from_str(t, "%m/%d/%Y").ok())
}

fn phone_from(
    raw: &str,
    kind: PhoneKind,
    sms: Option<&str>,
    primary: bool,
    field: String,
    issues: &mut Vec<FieldIssue>,
) -> Phone {
    let mut phone = Phone::parse(raw, kind);
    phone.primary = primary;
    phone.sms_status = sms.map(sms_status).unwrap_or_default();
    if !phone.valid {
        issues.push((
            field,
            format!("not a valid phone number: {raw:?} (kept as is)"),
        ));
    }
    phone
}

fn email_from(
    raw: &str,
    subscribed: Option<bool>,
    primary: bool,
    field: String,
    issues: &mut Vec<FieldIssue>,
) -> Email {
    let mut email = Email::parse(raw);
    email.primary = primary;
    email.status = match subscribed {
        Some(true) => SubscriptionStatus::Subscribed,
        Some(false) => SubscriptionStatus::Unsubscribed,
        None => SubscriptionStatus::Unknown,
    };
    if !email.valid {
        issues.push((
            field,
            format!("not a valid email address: {raw:?} (kept as is)"),
        ));
    }
    email
}

/// A VAN person (JSON) as a canonical [`Person`].
///
/// # Errors
/// `("vanId", …)` when the record has no van id (it cannot be referenced).
pub fn person_from_van(p: &models::Person) -> Result<(Person, Vec<FieldIssue>), FieldIssue> {
    let van_id = p
        .van_id
        .ok_or_else(|| ("vanId".to_string(), "missing".to_string()))?;
    let mut issues = Vec::new();
    let mut out = Person {
        source: SourceRef::new(SYSTEM, van_id.to_string()),
        given_name: p.first_name.as_deref().and_then(clean_name),
        middle_name: p.middle_name.as_deref().and_then(clean_name),
        family_name: p.last_name.as_deref().and_then(clean_name),
        extra: p.extra.clone(),
        ..Person::default()
    };
    if let Some(dob) = p.date_of_birth.as_deref().filter(|d| !d.trim().is_empty()) {
        out.birth_date = date_of(dob);
        if out.birth_date.is_none() {
            issues.push((
                "dateOfBirth".into(),
                format!("not a date: {dob:?} (kept in extra)"),
            ));
            out.extra.insert("dateOfBirth".into(), dob.into());
        }
    }
    if let Some(s) = &p.suffix {
        out.extra.insert("suffix".into(), s.clone().into());
    }
    for (i, e) in p.emails.iter().flatten().enumerate() {
        out.emails.push(email_from(
            &e.email,
            e.is_subscribed,
            e.is_preferred.unwrap_or(false),
            format!("emails[{i}].email"),
            &mut issues,
        ));
    }
    for (i, ph) in p.phones.iter().flatten().enumerate() {
        out.phones.push(phone_from(
            &ph.phone_number,
            phone_kind(ph.phone_type.as_deref()),
            ph.sms_opt_in_status.as_deref(),
            ph.is_preferred.unwrap_or(false),
            format!("phones[{i}].phoneNumber"),
            &mut issues,
        ));
    }
    for a in p.addresses.iter().flatten() {
        out.addresses.push(PostalAddress {
            lines: [&a.address_line1, &a.address_line2]
                .into_iter()
                .flatten()
                .filter(|l| !l.trim().is_empty())
                .cloned()
                .collect(),
            locality: a.city.clone(),
            region: a.state_or_province.clone(),
            postal_code: a.zip_or_postal_code.clone(),
            country: a.country_code.clone(),
            kind: a.kind.clone(),
            primary: a.is_preferred.unwrap_or(false),
        });
    }
    for id in p.identifiers.iter().flatten() {
        out.external_ids.push(ExternalId {
            system: id.kind.clone(),
            id: id.external_id.clone(),
        });
    }
    for cf in p.custom_fields.iter().flatten() {
        let key = cf
            .pointer("/customField/customFieldId")
            .or_else(|| cf.get("customFieldId"))
            .map(|v| v.to_string());
        match key {
            Some(k) => {
                out.custom_fields.insert(
                    k,
                    cf.get("assignedValue")
                        .cloned()
                        .unwrap_or_else(|| cf.clone()),
                );
            }
            None => {
                out.custom_fields
                    .insert(format!("{}", out.custom_fields.len()), cf.clone());
            }
        }
    }
    if let Some(t) = p.extra.get("dateModified").and_then(|v| v.as_str()) {
        out.modified_at = canvass_core::time::parse_timestamp(t);
    }
    if let Some(t) = p.extra.get("dateCreated").and_then(|v| v.as_str()) {
        out.created_at = canvass_core::time::parse_timestamp(t);
    }
    Ok((out, issues))
}

fn norm_header(h: &str) -> String {
    h.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase()
}

/// Columns of VAN export and changed-entity CSVs: the key each feeds and
/// the (normalized) names it goes by, best first. An export's columns
/// depend on its export type; the names here cover the simulator's files
/// and the saved-list export Spoke's public test fixture shows
/// (`MoveOnOrg/Spoke`, `__test__/extensions/contact-loaders/ngpvan.test.js`:
/// `StreetAddress`, `ZipOrPostal`, `HomePhone`, `CellPhone`, `OptInPhone`, …).
const COLUMNS: &[(&str, &[&str])] = &[
    (
        "van_id",
        &["vanid", "voterfilevanid", "mycampaignid", "mycampaignvanid"],
    ),
    ("first", &["firstname"]),
    ("middle", &["middlename"]),
    ("last", &["lastname"]),
    ("dob", &["dateofbirth", "dob"]),
    ("email", &["email", "emailaddress", "preferredemail"]),
    ("phone", &["phone", "phonenumber", "preferredphone"]),
    ("phone_type", &["phonetype"]),
    ("sms", &["smsoptinstatus"]),
    ("cell", &["cellphone"]),
    ("home", &["homephone"]),
    ("home_is_cell", &["ishomephoneacellexchange"]),
    ("work", &["workphone"]),
    ("work_is_cell", &["isworkphoneacellexchange"]),
    ("opt_in_phone", &["optinphone"]),
    ("opt_in_status", &["optinstatus"]),
    ("opt_in_type", &["optinphonetype"]),
    ("street", &["addressline1", "streetaddress"]),
    ("street2", &["addressline2"]),
    ("city", &["city"]),
    ("state", &["stateorprovince", "state"]),
    (
        "zip",
        &["ziporpostalcode", "ziporpostal", "zip5", "zip", "zipcode"],
    ),
    ("created", &["datecreated"]),
    ("modified", &["datemodified", "datechanged"]),
];

/// The one-line address some exports carry (`Address`: `"1749 Kori Ter,
/// Ranbelsi, SC 02569"`), kept in `extra` and used for the parts the file
/// has no column (or an empty one) for.
const FULL_ADDRESS: &str = "address";

/// Splits a one-line US address (`street, city, ST 12345[-6789]`) into
/// street, city, state and ZIP; parts that are not there are `None`.
fn split_full_address(text: &str) -> [Option<String>; 4] {
    let parts: Vec<&str> = text
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    let owned = |s: &str| (!s.is_empty()).then(|| s.to_string());
    let (street, city, tail) = match parts.as_slice() {
        [street, city, tail, ..] => (owned(street), owned(city), *tail),
        [street, tail] => (owned(street), None, *tail),
        _ => return [None, None, None, None],
    };
    let mut words = tail.split_whitespace();
    let state = words
        .next()
        .filter(|w| w.len() == 2 && w.chars().all(|c| c.is_ascii_alphabetic()))
        .map(str::to_string);
    let zip = words.next().filter(|w| {
        let (five, plus) = w.split_once('-').unwrap_or((w, ""));
        five.len() == 5
            && five.chars().all(|c| c.is_ascii_digit())
            && (plus.is_empty() || (plus.len() == 4 && plus.chars().all(|c| c.is_ascii_digit())))
    });
    [street, city, state, zip.map(str::to_string)]
}

fn truthy(text: Option<&str>) -> bool {
    matches!(
        text.map(|t| t.trim().to_ascii_lowercase()).as_deref(),
        Some("1" | "true" | "yes" | "y")
    )
}

/// A row of a VAN people CSV (saved-list export or changed-entity export)
/// as a canonical [`Person`]. Column names are matched ignoring case,
/// spaces and underscores; when several columns could feed one value the
/// best-named one does (`StreetAddress` over the one-line `Address`); every
/// other column goes to `extra`. Every phone column is read (`Phone`,
/// `CellPhone`, `HomePhone`, `WorkPhone`, `OptInPhone`), the same number
/// once, the first one primary.
///
/// # Errors
/// `(column, …)` when the row has no usable van id.
pub fn person_from_csv(
    file: &CsvFile,
    row: &[String],
) -> Result<(Person, Vec<FieldIssue>), FieldIssue> {
    // For each key, the chosen column: (rank of its name, header, value).
    let mut known: std::collections::BTreeMap<&str, (usize, String, String)> =
        std::collections::BTreeMap::new();
    let mut extra = Extra::new();
    let mut full_address = None;
    for (i, h) in file.headers.iter().enumerate() {
        let value = row.get(i).cloned().unwrap_or_default();
        let n = norm_header(h);
        let hit = COLUMNS.iter().find_map(|(key, names)| {
            names
                .iter()
                .position(|name| *name == n)
                .map(|rank| (*key, rank))
        });
        if n == FULL_ADDRESS && full_address.is_none() {
            full_address = Some(value.clone());
        }
        match hit {
            Some((key, rank)) if known.get(key).is_none_or(|(r, _, _)| rank < *r) => {
                if let Some((_, old_h, old_v)) = known.insert(key, (rank, h.clone(), value)) {
                    extra.insert(old_h, old_v.into());
                }
            }
            _ => {
                extra.insert(h.clone(), value.into());
            }
        }
    }
    let get = |k: &str| {
        known
            .get(k)
            .map(|(_, _, v)| v.trim())
            .filter(|v| !v.is_empty())
    };
    let header = |k: &str| known.get(k).map(|(_, h, _)| h.clone()).unwrap_or_default();
    let (_, col, id_text) = known.get("van_id").cloned().ok_or_else(|| {
        (
            "VanID".to_string(),
            "the file has no VanID column".to_string(),
        )
    })?;
    let van_id: u64 = id_text
        .trim()
        .parse()
        .map_err(|_| (col.clone(), format!("not a van id: {id_text:?}")))?;
    let mut issues = Vec::new();
    let mut out = Person {
        source: SourceRef::new(SYSTEM, van_id.to_string()),
        given_name: get("first").and_then(clean_name),
        middle_name: get("middle").and_then(clean_name),
        family_name: get("last").and_then(clean_name),
        extra,
        ..Person::default()
    };
    if let Some(dob) = get("dob") {
        out.birth_date = date_of(dob);
        if out.birth_date.is_none() {
            issues.push((
                header("dob"),
                format!("not a date: {dob:?} (kept in extra)"),
            ));
            out.extra.insert(header("dob"), dob.into());
        }
    }
    if let Some(e) = get("email") {
        out.emails
            .push(email_from(e, None, true, header("email"), &mut issues));
    }
    let cell_if = |flag: &str, otherwise: PhoneKind| {
        if truthy(get(flag)) {
            PhoneKind::Mobile
        } else {
            otherwise
        }
    };
    let candidates = [
        ("phone", phone_kind(get("phone_type")), get("sms")),
        ("cell", PhoneKind::Mobile, None),
        ("home", cell_if("home_is_cell", PhoneKind::Landline), None),
        ("work", cell_if("work_is_cell", PhoneKind::Landline), None),
        (
            "opt_in_phone",
            phone_kind(get("opt_in_type")),
            get("opt_in_status"),
        ),
    ];
    for (key, kind, sms) in candidates {
        let Some(raw) = get(key) else { continue };
        let primary = out.phones.is_empty();
        let phone = phone_from(raw, kind, sms, primary, header(key), &mut issues);
        match out
            .phones
            .iter_mut()
            .find(|p| p.valid && phone.valid && p.number == phone.number)
        {
            Some(same) => {
                if same.kind == PhoneKind::Unknown {
                    same.kind = phone.kind;
                }
                if same.sms_status == SubscriptionStatus::Unknown {
                    same.sms_status = phone.sms_status;
                }
            }
            None => out.phones.push(phone),
        }
    }
    let [full_street, full_city, full_state, full_zip] = full_address
        .as_deref()
        .map(split_full_address)
        .unwrap_or_default();
    let pick = |k: &str, fallback: Option<String>| get(k).map(str::to_string).or(fallback);
    let street = pick("street", full_street);
    let city = pick("city", full_city);
    let state = pick("state", full_state);
    let zip = pick("zip", full_zip);
    if street.is_some() || zip.is_some() || city.is_some() {
        out.addresses.push(PostalAddress {
            lines: street
                .into_iter()
                .chain(get("street2").map(str::to_string))
                .collect(),
            locality: city,
            region: state,
            postal_code: zip,
            country: None,
            kind: None,
            primary: true,
        });
    }
    out.created_at = get("created").and_then(canvass_core::time::parse_timestamp);
    out.modified_at = get("modified").and_then(canvass_core::time::parse_timestamp);
    Ok((out, issues))
}

/// A canonical person as the body of a VAN `findOrCreate`: names, date of
/// birth, every valid email and phone (with SMS opt-in status), and
/// addresses: the strongest match fields available.
pub fn person_to_van(p: &Person) -> models::Person {
    let emails: Vec<models::EmailAddress> = p
        .emails
        .iter()
        .filter(|e| e.valid)
        .map(|e| models::EmailAddress {
            email: e.address.clone(),
            kind: Some("P".into()),
            is_preferred: Some(e.primary),
            is_subscribed: match &e.status {
                SubscriptionStatus::Subscribed => Some(true),
                s if s.is_opted_out() => Some(false),
                _ => None,
            },
            extra: Extra::new(),
        })
        .collect();
    let phones: Vec<models::PhoneNumber> = p
        .phones
        .iter()
        .filter(|ph| ph.valid)
        .map(|ph| models::PhoneNumber {
            phone_number: ph.number.trim_start_matches("+1").to_string(),
            phone_type: phone_type_code(&ph.kind).map(str::to_string),
            is_preferred: Some(ph.primary),
            sms_opt_in_status: match &ph.sms_status {
                SubscriptionStatus::Subscribed => Some("I".into()),
                SubscriptionStatus::Unsubscribed => Some("O".into()),
                _ => None,
            },
            ..models::PhoneNumber::default()
        })
        .collect();
    let addresses: Vec<models::Address> = p
        .addresses
        .iter()
        .map(|a| models::Address {
            address_line1: a.lines.first().cloned(),
            address_line2: a.lines.get(1).cloned(),
            city: a.locality.clone(),
            state_or_province: a.region.clone(),
            zip_or_postal_code: a.postal_code.clone(),
            country_code: a.country.clone(),
            is_preferred: Some(a.primary),
            ..models::Address::default()
        })
        .collect();
    models::Person {
        first_name: p.given_name.clone(),
        middle_name: p.middle_name.clone(),
        last_name: p.family_name.clone(),
        date_of_birth: p.birth_date.map(|d| d.format("%Y-%m-%d").to_string()),
        emails: (!emails.is_empty()).then_some(emails),
        phones: (!phones.is_empty()).then_some(phones),
        addresses: (!addresses.is_empty()).then_some(addresses),
        ..models::Person::default()
    }
}

fn event_ref(id: u64) -> SourceRef {
    SourceRef::new(SYSTEM, id.to_string())
}

/// A VAN event as a canonical [`Event`] and its [`Shift`]s (shift ids are
/// VAN's `eventShiftId`s).
///
/// # Errors
/// `("eventId", …)` when the event has no id.
pub fn event_from_van(
    e: &models::Event,
) -> Result<(Event, Vec<Shift>, Vec<FieldIssue>), FieldIssue> {
    let id = e
        .event_id
        .ok_or_else(|| ("eventId".to_string(), "missing".to_string()))?;
    let mut issues = Vec::new();
    let mut time = |field: &str, v: &Option<String>| {
        v.as_deref().and_then(|t| {
            let parsed = canvass_core::time::parse_timestamp(t);
            if parsed.is_none() {
                issues.push((field.to_string(), format!("not a timestamp: {t:?}")));
            }
            parsed
        })
    };
    let starts_at = time("startDate", &e.start_date);
    let ends_at = time("endDate", &e.end_date);
    let mut extra = e.extra.clone();
    if let Some(roles) = &e.roles {
        extra.insert(
            "roles".into(),
            serde_json::to_value(roles).unwrap_or_default(),
        );
    }
    if let Some(s) = &e.short_name {
        extra.insert("shortName".into(), s.clone().into());
    }
    let first_location = e.locations.iter().flatten().next();
    let event = Event {
        source: event_ref(id),
        modified_at: None,
        title: e.name.clone(),
        description: e.description.clone(),
        starts_at,
        ends_at,
        timezone: None,
        event_type: e.event_type.as_ref().map(|t| {
            t.name
                .clone()
                .unwrap_or_else(|| t.event_type_id.to_string())
        }),
        location: first_location
            .and_then(|l| l.address.as_ref())
            .map(|a| PostalAddress {
                lines: a.address_line1.iter().cloned().collect(),
                locality: a.city.clone(),
                region: a.state_or_province.clone(),
                postal_code: a.zip_or_postal_code.clone(),
                country: a.country_code.clone(),
                kind: None,
                primary: true,
            }),
        venue: first_location.and_then(|l| l.name.clone()),
        visibility: e
            .extra
            .get("isPubliclyViewable")
            .and_then(|v| v.as_bool())
            .map(|p| if p { "PUBLIC".into() } else { "PRIVATE".into() }),
        is_virtual: None,
        tags: Vec::new(),
        browser_url: None,
        extra,
    };
    let mut shifts = Vec::new();
    for (i, s) in e.shifts.iter().flatten().enumerate() {
        let Some(shift_id) = s.event_shift_id else {
            issues.push((
                format!("shifts[{i}].eventShiftId"),
                "missing; shift left out".into(),
            ));
            continue;
        };
        shifts.push(Shift {
            source: SourceRef::new(SYSTEM, shift_id.to_string()),
            event: event_ref(id),
            name: s.name.clone(),
            starts_at: s
                .start_time
                .as_deref()
                .and_then(canvass_core::time::parse_timestamp),
            ends_at: s
                .end_time
                .as_deref()
                .and_then(canvass_core::time::parse_timestamp),
            capacity: None,
            extra: s.extra.clone(),
        });
    }
    Ok((event, shifts, issues))
}

/// A VAN signup as a canonical [`Attendance`]; the role goes to `extra`.
pub fn attendance_from_signup(s: &models::Signup) -> Result<Attendance, FieldIssue> {
    let id = s
        .event_signup_id
        .ok_or_else(|| ("eventSignupId".to_string(), "missing".to_string()))?;
    let mut extra = s.extra.clone();
    extra.insert(
        "role".into(),
        serde_json::to_value(&s.role).unwrap_or_default(),
    );
    extra.insert("statusId".into(), s.status.status_id.into());
    if let Some(l) = &s.location {
        extra.insert(
            "location".into(),
            serde_json::to_value(l).unwrap_or_default(),
        );
    }
    let status = match s.status.name.as_deref() {
        Some(n) => attendance_status(n),
        None => AttendanceStatus::Other(format!("status {}", s.status.status_id)),
    };
    Ok(Attendance {
        source: SourceRef::new(SYSTEM, id.to_string()),
        modified_at: s
            .extra
            .get("dateModified")
            .and_then(|v| v.as_str())
            .and_then(canvass_core::time::parse_timestamp),
        person: SourceRef::new(SYSTEM, s.person.van_id.to_string()),
        event: event_ref(s.event.event_id),
        shift: Some(SourceRef::new(SYSTEM, s.shift.event_shift_id.to_string())),
        status,
        extra,
    })
}

/// An activist code as a canonical [`Tag`].
pub fn tag_from_activist_code(c: &models::ActivistCode) -> Tag {
    let mut extra = c.extra.clone();
    for (k, v) in [
        ("type", &c.kind),
        ("status", &c.status),
        ("description", &c.description),
        ("shortName", &c.short_name),
    ] {
        if let Some(v) = v {
            extra.insert(k.into(), v.clone().into());
        }
    }
    Tag {
        source: SourceRef::new(SYSTEM, c.activist_code_id.to_string()),
        name: c.name.clone(),
        extra,
    }
}

/// A survey question as a canonical [`SurveyQuestion`].
pub fn survey_question_from_van(q: &models::SurveyQuestion) -> SurveyQuestion {
    let mut extra = q.extra.clone();
    for (k, v) in [
        ("type", &q.kind),
        ("status", &q.status),
        ("shortName", &q.short_name),
    ] {
        if let Some(v) = v {
            extra.insert(k.into(), v.clone().into());
        }
    }
    if let Some(c) = q.cycle {
        extra.insert("cycle".into(), c.into());
    }
    SurveyQuestion {
        source: SourceRef::new(SYSTEM, q.survey_question_id.to_string()),
        name: q.name.clone(),
        question: q.script_question.clone(),
        options: q
            .responses
            .iter()
            .map(|r| SurveyOption {
                id: r.survey_response_id.to_string(),
                name: r.name.clone(),
            })
            .collect(),
        extra,
    }
}
