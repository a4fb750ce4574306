//! The canonical organizing-data model.
//!
//! Every connector maps its vendor's records onto these plain serde types.
//! Each record carries the [`SourceRef`] it came from, `modified_at` where the
//! vendor has it, and an `extra` map holding whatever the vendor sent that the
//! model has no field for, so nothing is lost in translation.

mod activity;
mod open_enum;
mod people;

pub use activity::*;
pub use people::*;

use serde::{Deserialize, Serialize};

/// Vendor fields the model has no place for, kept verbatim.
pub type Extra = serde_json::Map<String, serde_json::Value>;

/// Keeps a vendor field in `extra` under `key`, unless its value is JSON
/// `null` (an absent field is not worth a key).
///
/// ```
/// use canvass_core::{Extra, put_extra};
/// let mut extra = Extra::new();
/// put_extra(&mut extra, "campaign", "GOTV");
/// put_extra(&mut extra, "nothing", serde_json::Value::Null);
/// put_extra(&mut extra, "unset", None::<String>);
/// assert_eq!(serde_json::Value::Object(extra), serde_json::json!({"campaign": "GOTV"}));
/// ```
pub fn put_extra(extra: &mut Extra, key: &str, value: impl Into<serde_json::Value>) {
    let value = value.into();
    if !value.is_null() {
        extra.insert(key.to_string(), value);
    }
}

/// Where a record came from: the system and the vendor's own id.
///
/// ```
/// use canvass_core::SourceRef;
/// let r = SourceRef::new("mobilize", "198");
/// assert_eq!(r.to_string(), "mobilize:198");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SourceRef {
    /// The system, as named in [`ConnectorInfo::system`](crate::ConnectorInfo::system).
    pub system: String,
    /// The vendor's id, as a string whatever its native type.
    pub id: String,
}

impl SourceRef {
    /// A reference to `id` in `system`.
    pub fn new(system: impl Into<String>, id: impl Into<String>) -> Self {
        SourceRef {
            system: system.into(),
            id: id.into(),
        }
    }
}

impl std::fmt::Display for SourceRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.system, self.id)
    }
}

crate::open_enum! {
    /// The kinds of entity a connector reads and writes.
    pub enum EntityKind {
        /// [`Person`].
        People => "people",
        /// [`Event`].
        Events => "events",
        /// [`Shift`].
        Shifts => "shifts",
        /// [`Attendance`].
        Attendances => "attendances",
        /// [`Tag`].
        Tags => "tags",
        /// [`Tagging`].
        Taggings => "taggings",
        /// [`SurveyQuestion`].
        SurveyQuestions => "survey_questions",
        /// [`SurveyResponse`].
        SurveyResponses => "survey_responses",
        /// [`Message`].
        Messages => "messages",
        /// [`ContactAttempt`].
        ContactAttempts => "contact_attempts",
        /// [`OptOut`].
        OptOuts => "opt_outs",
        /// [`Donation`].
        Donations => "donations",
        /// [`Action`].
        Actions => "actions",
    }
}

impl EntityKind {
    /// Every known kind, in a stable order (people first, so identity has
    /// people before the records that point at them).
    pub const ALL: [EntityKind; 13] = [
        EntityKind::People,
        EntityKind::Events,
        EntityKind::Shifts,
        EntityKind::Attendances,
        EntityKind::Tags,
        EntityKind::Taggings,
        EntityKind::SurveyQuestions,
        EntityKind::SurveyResponses,
        EntityKind::Messages,
        EntityKind::ContactAttempts,
        EntityKind::OptOuts,
        EntityKind::Donations,
        EntityKind::Actions,
    ];
}

/// Any canonical record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Record {
    /// A person.
    Person(Person),
    /// An event.
    Event(Event),
    /// A shift (timeslot) of an event.
    Shift(Shift),
    /// A person's RSVP or attendance at an event.
    Attendance(Attendance),
    /// A tag (activist code).
    Tag(Tag),
    /// A tag applied to a person.
    Tagging(Tagging),
    /// A survey question with its answer options.
    SurveyQuestion(SurveyQuestion),
    /// A person's answer to a survey question.
    SurveyResponse(SurveyResponse),
    /// A text or email message.
    Message(Message),
    /// An attempt to contact a person and its result.
    ContactAttempt(ContactAttempt),
    /// An opt-out from a channel.
    OptOut(OptOut),
    /// A donation.
    Donation(Donation),
    /// An action a person took (a form submission, a petition signature).
    Action(Action),
    /// A vendor's notice that a record was deleted.
    Deletion(Deletion),
}

impl Record {
    /// The kind of entity this record is (a deletion reports the kind deleted).
    pub fn kind(&self) -> EntityKind {
        match self {
            Record::Person(_) => EntityKind::People,
            Record::Event(_) => EntityKind::Events,
            Record::Shift(_) => EntityKind::Shifts,
            Record::Attendance(_) => EntityKind::Attendances,
            Record::Tag(_) => EntityKind::Tags,
            Record::Tagging(_) => EntityKind::Taggings,
            Record::SurveyQuestion(_) => EntityKind::SurveyQuestions,
            Record::SurveyResponse(_) => EntityKind::SurveyResponses,
            Record::Message(_) => EntityKind::Messages,
            Record::ContactAttempt(_) => EntityKind::ContactAttempts,
            Record::OptOut(_) => EntityKind::OptOuts,
            Record::Donation(_) => EntityKind::Donations,
            Record::Action(_) => EntityKind::Actions,
            Record::Deletion(d) => d.kind.clone(),
        }
    }

    /// Where the record came from.
    pub fn source(&self) -> &SourceRef {
        match self {
            Record::Person(r) => &r.source,
            Record::Event(r) => &r.source,
            Record::Shift(r) => &r.source,
            Record::Attendance(r) => &r.source,
            Record::Tag(r) => &r.source,
            Record::Tagging(r) => &r.source,
            Record::SurveyQuestion(r) => &r.source,
            Record::SurveyResponse(r) => &r.source,
            Record::Message(r) => &r.source,
            Record::ContactAttempt(r) => &r.source,
            Record::OptOut(r) => &r.source,
            Record::Donation(r) => &r.source,
            Record::Action(r) => &r.source,
            Record::Deletion(r) => &r.source,
        }
    }
}

/// A vendor's notice that a record no longer exists (e.g. Mobilize's deleted events).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Deletion {
    /// The deleted record.
    pub source: SourceRef,
    /// What kind of record it was.
    pub kind: EntityKind,
    /// When it was deleted, if the vendor says.
    pub deleted_at: Option<chrono::DateTime<chrono::Utc>>,
}
