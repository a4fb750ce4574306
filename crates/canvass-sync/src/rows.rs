//! How each canonical record becomes warehouse rows: one row in its entity
//! table (typed columns for querying plus the whole record as JSON and a
//! content hash) and, for people, rows in the contact-point tables.
//!
//! Both backends consume these rows, so the mapping lives in one place.

use canvass_core::{Record, SourceRef};
use chrono::{DateTime, SecondsFormat, Utc};
use sha2::{Digest, Sha256};

/// One typed value of a column.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cell {
    /// Text (also timestamps, RFC 3339 UTC, and dates, ISO 8601).
    Text(Option<String>),
    /// An integer (also booleans, 0/1).
    Int(Option<i64>),
    /// A double-precision number.
    Real(Option<f64>),
}

impl Cell {
    pub(crate) fn text(s: impl Into<String>) -> Cell {
        Cell::Text(Some(s.into()))
    }
    pub(crate) fn opt(s: Option<impl Into<String>>) -> Cell {
        Cell::Text(s.map(Into::into))
    }
    pub(crate) fn time(t: Option<DateTime<Utc>>) -> Cell {
        Cell::Text(t.map(|t| t.to_rfc3339_opts(SecondsFormat::AutoSi, true)))
    }
    pub(crate) fn bool(b: bool) -> Cell {
        Cell::Int(Some(i64::from(b)))
    }
    pub(crate) fn opt_bool(b: Option<bool>) -> Cell {
        Cell::Int(b.map(i64::from))
    }
}

/// A record's row in its entity table, keyed by `(system, id)`.
#[derive(Debug, Clone)]
pub(crate) struct MainRow {
    pub table: &'static str,
    pub system: String,
    pub id: String,
    /// Typed columns besides `system`, `id`, `data` and `content_hash`.
    pub cols: Vec<(&'static str, Cell)>,
    /// The canonical record's JSON.
    pub data: String,
    /// SHA-256 of `data`, hex.
    pub hash: String,
}

/// Rows of a child table, replaced whole when the parent changes. Every
/// child table starts with `system, person_id, position`.
#[derive(Debug, Clone)]
pub(crate) struct ChildRows {
    pub table: &'static str,
    pub cols: &'static [&'static str],
    pub rows: Vec<Vec<Cell>>,
}

/// Everything one record writes.
#[derive(Debug, Clone)]
pub(crate) struct RecordRows {
    pub main: MainRow,
    pub children: Vec<ChildRows>,
}

const EMAIL_COLS: &[&str] = &["address", "valid", "is_primary", "status"];
const PHONE_COLS: &[&str] = &["number", "valid", "kind", "is_primary", "sms_status"];
const ADDRESS_COLS: &[&str] = &[
    "line1",
    "line2",
    "locality",
    "region",
    "postal_code",
    "country",
    "kind",
    "is_primary",
];

/// Hex SHA-256 of a text.
pub(crate) fn sha256_hex(text: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let digest = Sha256::digest(text.as_bytes());
    let mut out = String::with_capacity(64);
    for b in digest {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 15)]));
    }
    out
}

fn id_of(r: &Option<SourceRef>) -> Cell {
    Cell::opt(r.as_ref().map(|r| r.id.clone()))
}

/// The entity table a kind is stored in.
pub(crate) fn table_of(kind: &canvass_core::EntityKind) -> Option<&'static str> {
    use canvass_core::EntityKind as K;
    Some(match kind {
        K::People => "people",
        K::Events => "events",
        K::Shifts => "shifts",
        K::Attendances => "attendances",
        K::Tags => "tags",
        K::Taggings => "taggings",
        K::SurveyQuestions => "survey_questions",
        K::SurveyResponses => "survey_responses",
        K::Messages => "messages",
        K::ContactAttempts => "contact_attempts",
        K::OptOuts => "opt_outs",
        K::Donations => "donations",
        K::Actions => "actions",
        _ => return None,
    })
}

/// Maps a record to its rows.
///
/// # Errors
/// When the record cannot be serialized (never for the canonical model).
pub(crate) fn record_rows(record: &Record) -> Result<RecordRows, serde_json::Error> {
    let (table, data, cols, children): (
        &'static str,
        String,
        Vec<(&'static str, Cell)>,
        Vec<ChildRows>,
    ) = match record {
        Record::Person(p) => {
            let emails = ChildRows {
                table: "person_emails",
                cols: EMAIL_COLS,
                rows: p
                    .emails
                    .iter()
                    .map(|e| {
                        vec![
                            Cell::text(e.address.clone()),
                            Cell::bool(e.valid),
                            Cell::bool(e.primary),
                            Cell::text(e.status.as_str()),
                        ]
                    })
                    .collect(),
            };
            let phones = ChildRows {
                table: "person_phones",
                cols: PHONE_COLS,
                rows: p
                    .phones
                    .iter()
                    .map(|ph| {
                        vec![
                            Cell::text(ph.number.clone()),
                            Cell::bool(ph.valid),
                            Cell::text(ph.kind.as_str()),
                            Cell::bool(ph.primary),
                            Cell::text(ph.sms_status.as_str()),
                        ]
                    })
                    .collect(),
            };
            let addresses = ChildRows {
                table: "person_addresses",
                cols: ADDRESS_COLS,
                rows: p
                    .addresses
                    .iter()
                    .map(|a| {
                        vec![
                            Cell::opt(a.lines.first().cloned()),
                            Cell::opt((a.lines.len() > 1).then(|| a.lines[1..].join("\n"))),
                            Cell::opt(a.locality.clone()),
                            Cell::opt(a.region.clone()),
                            Cell::opt(a.postal_code.clone()),
                            Cell::opt(a.country.clone()),
                            Cell::opt(a.kind.clone()),
                            Cell::bool(a.primary),
                        ]
                    })
                    .collect(),
            };
            (
                "people",
                serde_json::to_string(p)?,
                vec![
                    ("given_name", Cell::opt(p.given_name.clone())),
                    ("middle_name", Cell::opt(p.middle_name.clone())),
                    ("family_name", Cell::opt(p.family_name.clone())),
                    ("birth_date", Cell::opt(p.birth_date.map(|d| d.to_string()))),
                    ("created_at", Cell::time(p.created_at)),
                    ("modified_at", Cell::time(p.modified_at)),
                ],
                vec![emails, phones, addresses],
            )
        }
        Record::Event(e) => (
            "events",
            serde_json::to_string(e)?,
            vec![
                ("title", Cell::text(e.title.clone())),
                ("starts_at", Cell::time(e.starts_at)),
                ("ends_at", Cell::time(e.ends_at)),
                ("timezone", Cell::opt(e.timezone.clone())),
                ("event_type", Cell::opt(e.event_type.clone())),
                ("venue", Cell::opt(e.venue.clone())),
                ("visibility", Cell::opt(e.visibility.clone())),
                ("is_virtual", Cell::opt_bool(e.is_virtual)),
                ("modified_at", Cell::time(e.modified_at)),
            ],
            vec![],
        ),
        Record::Shift(s) => (
            "shifts",
            serde_json::to_string(s)?,
            vec![
                ("event_id", Cell::text(s.event.id.clone())),
                ("name", Cell::opt(s.name.clone())),
                ("starts_at", Cell::time(s.starts_at)),
                ("ends_at", Cell::time(s.ends_at)),
                ("capacity", Cell::Int(s.capacity.map(i64::from))),
            ],
            vec![],
        ),
        Record::Attendance(a) => (
            "attendances",
            serde_json::to_string(a)?,
            vec![
                ("person_id", Cell::text(a.person.id.clone())),
                ("event_id", Cell::text(a.event.id.clone())),
                ("shift_id", id_of(&a.shift)),
                ("status", Cell::text(a.status.as_str())),
                ("modified_at", Cell::time(a.modified_at)),
            ],
            vec![],
        ),
        Record::Tag(t) => (
            "tags",
            serde_json::to_string(t)?,
            vec![("name", Cell::text(t.name.clone()))],
            vec![],
        ),
        Record::Tagging(t) => (
            "taggings",
            serde_json::to_string(t)?,
            vec![
                ("tag_id", Cell::text(t.tag.id.clone())),
                ("person_id", Cell::text(t.person.id.clone())),
                ("modified_at", Cell::time(t.modified_at)),
            ],
            vec![],
        ),
        Record::SurveyQuestion(q) => (
            "survey_questions",
            serde_json::to_string(q)?,
            vec![
                ("name", Cell::text(q.name.clone())),
                ("question", Cell::opt(q.question.clone())),
            ],
            vec![],
        ),
        Record::SurveyResponse(r) => (
            "survey_responses",
            serde_json::to_string(r)?,
            vec![
                ("person_id", Cell::text(r.person.id.clone())),
                ("question_id", Cell::text(r.question.id.clone())),
                ("answer", Cell::text(r.answer.clone())),
                ("option_id", Cell::opt(r.option_id.clone())),
                ("answered_at", Cell::time(r.answered_at)),
            ],
            vec![],
        ),
        Record::Message(m) => (
            "messages",
            serde_json::to_string(m)?,
            vec![
                ("person_id", id_of(&m.person)),
                ("contact", Cell::opt(m.contact.clone())),
                ("channel", Cell::text(m.channel.as_str())),
                ("direction", Cell::text(m.direction.as_str())),
                ("body", Cell::opt(m.body.clone())),
                ("sent_at", Cell::time(m.sent_at)),
                ("status", Cell::text(m.status.as_str())),
                ("campaign", Cell::opt(m.campaign.clone())),
            ],
            vec![],
        ),
        Record::ContactAttempt(c) => (
            "contact_attempts",
            serde_json::to_string(c)?,
            vec![
                ("person_id", id_of(&c.person)),
                ("contact", Cell::opt(c.contact.clone())),
                ("channel", Cell::text(c.channel.as_str())),
                ("result", Cell::text(c.result.as_str())),
                ("attempted_at", Cell::time(c.attempted_at)),
                ("campaign", Cell::opt(c.campaign.clone())),
            ],
            vec![],
        ),
        Record::OptOut(o) => (
            "opt_outs",
            serde_json::to_string(o)?,
            vec![
                ("person_id", id_of(&o.person)),
                ("channel", Cell::text(o.channel.as_str())),
                ("identifier", Cell::text(o.identifier.clone())),
                ("reason", Cell::text(o.reason.as_str())),
                ("opted_out_at", Cell::time(o.opted_out_at)),
            ],
            vec![],
        ),
        Record::Donation(d) => (
            "donations",
            serde_json::to_string(d)?,
            vec![
                ("person_id", id_of(&d.person)),
                ("amount_minor", Cell::Int(Some(d.amount_minor))),
                ("currency", Cell::text(d.currency.clone())),
                ("recurrence", Cell::text(d.recurrence.as_str())),
                ("received_at", Cell::time(d.received_at)),
                ("modified_at", Cell::time(d.modified_at)),
            ],
            vec![],
        ),
        Record::Action(a) => (
            "actions",
            serde_json::to_string(a)?,
            vec![
                ("person_id", id_of(&a.person)),
                ("action_type", Cell::text(a.action_type.clone())),
                (
                    "target_system",
                    Cell::opt(a.target.as_ref().map(|t| t.system.clone())),
                ),
                ("target_id", id_of(&a.target)),
                ("taken_at", Cell::time(a.taken_at)),
            ],
            vec![],
        ),
        Record::Deletion(d) => (
            "deletions",
            serde_json::to_string(d)?,
            vec![
                ("kind", Cell::text(d.kind.as_str())),
                ("record_id", Cell::text(d.source.id.clone())),
                ("deleted_at", Cell::time(d.deleted_at)),
            ],
            vec![],
        ),
    };
    let source = record.source();
    let id = match record {
        // One deletions row per deleted record of each kind.
        Record::Deletion(d) => format!("{}:{}", d.kind, d.source.id),
        _ => source.id.clone(),
    };
    let hash = sha256_hex(&data);
    Ok(RecordRows {
        main: MainRow {
            table,
            system: source.system.clone(),
            id,
            cols,
            data,
            hash,
        },
        children,
    })
}
