//! Events, attendance, tags, surveys, messages, contact attempts, opt-outs,
//! donations and actions.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Extra, PostalAddress, SourceRef};

/// An event (a canvass, a phone bank, a meeting).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Where this record came from.
    pub source: SourceRef,
    /// When the vendor last changed it.
    pub modified_at: Option<DateTime<Utc>>,
    /// Title.
    pub title: String,
    /// Description (may be HTML, as the vendor sent it).
    pub description: Option<String>,
    /// Start, when the event has one start (per-shift times are on [`Shift`]).
    pub starts_at: Option<DateTime<Utc>>,
    /// End.
    pub ends_at: Option<DateTime<Utc>>,
    /// IANA time zone, e.g. `"America/New_York"`.
    pub timezone: Option<String>,
    /// The vendor's event type, e.g. `"CANVASS"` or `"Phone Bank"`.
    pub event_type: Option<String>,
    /// Where it happens.
    pub location: Option<PostalAddress>,
    /// Venue name.
    pub venue: Option<String>,
    /// Visibility as the vendor says (`"PUBLIC"`, `"PRIVATE"`).
    pub visibility: Option<String>,
    /// Whether it is virtual.
    pub is_virtual: Option<bool>,
    /// Names of the tags on the event.
    #[serde(default)]
    pub tags: Vec<String>,
    /// A public page for the event.
    pub browser_url: Option<String>,
    /// Vendor fields with no place above.
    #[serde(default)]
    pub extra: Extra,
}

/// A shift of an event (a Mobilize timeslot, a VAN event shift).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Shift {
    /// Where this record came from.
    pub source: SourceRef,
    /// The event it belongs to.
    pub event: SourceRef,
    /// Name, where the vendor has one (VAN: `"Setup"`).
    pub name: Option<String>,
    /// Start.
    pub starts_at: Option<DateTime<Utc>>,
    /// End (some vendors allow a shift with no end).
    pub ends_at: Option<DateTime<Utc>>,
    /// Most people who can sign up.
    pub capacity: Option<u32>,
    /// Vendor fields with no place above.
    #[serde(default)]
    pub extra: Extra,
}

crate::open_enum! {
    /// Where a person stands with an event.
    pub enum AttendanceStatus {
        /// Signed up.
        Registered => "registered",
        /// Confirmed they are coming.
        Confirmed => "confirmed",
        /// Maybe (Action Network `tentative`).
        Tentative => "tentative",
        /// Invited, not answered (Action Network `needs action`, VAN `Invited`).
        Invited => "invited",
        /// Came.
        Attended => "attended",
        /// Signed up and did not come.
        NoShow => "no_show",
        /// Cancelled their signup.
        Cancelled => "cancelled",
        /// Said no.
        Declined => "declined",
        /// Came without signing up (VAN `Walk In`).
        WalkIn => "walk_in",
    }
}

/// A person's RSVP or attendance at an event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attendance {
    /// Where this record came from. Vendors that omit an attendance id get a
    /// derived one (`person/event/shift`).
    pub source: SourceRef,
    /// When the vendor last changed it.
    pub modified_at: Option<DateTime<Utc>>,
    /// Who.
    pub person: SourceRef,
    /// Which event.
    pub event: SourceRef,
    /// Which shift, when the vendor has shifts.
    pub shift: Option<SourceRef>,
    /// Status.
    pub status: AttendanceStatus,
    /// Vendor fields with no place above (referrer, custom signup fields, role).
    #[serde(default)]
    pub extra: Extra,
}

/// A tag: an Action Network tag, a texting tag, a VAN activist code.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tag {
    /// Where this record came from.
    pub source: SourceRef,
    /// The tag's name.
    pub name: String,
    /// Vendor fields with no place above.
    #[serde(default)]
    pub extra: Extra,
}

/// A tag applied to a person.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tagging {
    /// Where this record came from.
    pub source: SourceRef,
    /// When it was applied or last changed.
    pub modified_at: Option<DateTime<Utc>>,
    /// The tag.
    pub tag: SourceRef,
    /// The person.
    pub person: SourceRef,
    /// Vendor fields with no place above.
    #[serde(default)]
    pub extra: Extra,
}

/// One answer option of a survey question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SurveyOption {
    /// The vendor's id for the option.
    pub id: String,
    /// Its text.
    pub name: String,
}

/// A survey question with its answer options.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SurveyQuestion {
    /// Where this record came from.
    pub source: SourceRef,
    /// Short name.
    pub name: String,
    /// The question as asked.
    pub question: Option<String>,
    /// Answer options, when the question has a fixed set.
    #[serde(default)]
    pub options: Vec<SurveyOption>,
    /// Vendor fields with no place above.
    #[serde(default)]
    pub extra: Extra,
}

/// A person's answer to a survey question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SurveyResponse {
    /// Where this record came from.
    pub source: SourceRef,
    /// When it was answered.
    pub answered_at: Option<DateTime<Utc>>,
    /// Who answered.
    pub person: SourceRef,
    /// Which question.
    pub question: SourceRef,
    /// The answer as text.
    pub answer: String,
    /// The chosen option's id, when the question has options.
    pub option_id: Option<String>,
    /// Vendor fields with no place above.
    #[serde(default)]
    pub extra: Extra,
}

crate::open_enum! {
    /// Which way a message went.
    pub enum Direction {
        /// From the organization to the person.
        Outbound => "outbound",
        /// From the person to the organization.
        Inbound => "inbound",
    }
}

crate::open_enum! {
    /// Where a message is in delivery.
    pub enum DeliveryStatus {
        /// Waiting to be sent.
        Queued => "queued",
        /// Handed to the carrier.
        Sent => "sent",
        /// Delivered to the handset or inbox.
        Delivered => "delivered",
        /// Could not be sent.
        Failed => "failed",
        /// Sent but not delivered.
        Undelivered => "undelivered",
        /// Received from the person (inbound).
        Received => "received",
    }
}

crate::open_enum! {
    /// A contact channel.
    pub enum Channel {
        /// Text message.
        Sms => "sms",
        /// Phone call.
        Phone => "phone",
        /// Email.
        Email => "email",
        /// Door knock.
        Door => "door",
        /// Postal mail.
        Mail => "mail",
    }
}

/// A text or email message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    /// Where this record came from.
    pub source: SourceRef,
    /// The person on the other end, when the vendor links one.
    pub person: Option<SourceRef>,
    /// The person's phone (E.164 when valid) or email.
    pub contact: Option<String>,
    /// The channel.
    pub channel: Channel,
    /// Which way it went.
    pub direction: Direction,
    /// The text.
    pub body: Option<String>,
    /// When it was sent or received.
    pub sent_at: Option<DateTime<Utc>>,
    /// Delivery status.
    pub status: DeliveryStatus,
    /// The campaign, broadcast or conversation it belongs to.
    pub campaign: Option<String>,
    /// Vendor fields with no place above.
    #[serde(default)]
    pub extra: Extra,
}

crate::open_enum! {
    /// The result of a contact attempt.
    pub enum ContactResult {
        /// A text went out.
        Texted => "texted",
        /// The person answered (a reply, a conversation at the door).
        Canvassed => "canvassed",
        /// The number or address reached someone else.
        WrongNumber => "wrong_number",
        /// Nobody home or no answer.
        NotHome => "not_home",
        /// The person refused.
        Refused => "refused",
        /// The person opted out.
        OptedOut => "opted_out",
        /// The number is disconnected or undeliverable.
        Disconnected => "disconnected",
    }
}

/// An attempt to contact a person and its result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContactAttempt {
    /// Where this record came from (derived records use the message id).
    pub source: SourceRef,
    /// Who was contacted.
    pub person: Option<SourceRef>,
    /// The phone or email used.
    pub contact: Option<String>,
    /// The channel.
    pub channel: Channel,
    /// What happened.
    pub result: ContactResult,
    /// When.
    pub attempted_at: Option<DateTime<Utc>>,
    /// The campaign it belongs to.
    pub campaign: Option<String>,
    /// Vendor fields with no place above.
    #[serde(default)]
    pub extra: Extra,
}

crate::open_enum! {
    /// Why someone opted out.
    pub enum OptOutReason {
        /// They asked to stop.
        Requested => "requested",
        /// The number or address belongs to someone else.
        WrongNumber => "wrong_number",
        /// The vendor blocked or suppressed them.
        Blocked => "blocked",
        /// Bounced or undeliverable.
        Undeliverable => "undeliverable",
        /// Not said.
        Unknown => "unknown",
    }
}

/// An opt-out from a channel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OptOut {
    /// Where this record came from.
    pub source: SourceRef,
    /// The person, when the vendor links one.
    pub person: Option<SourceRef>,
    /// The channel opted out of.
    pub channel: Channel,
    /// The phone (E.164 when valid) or email opted out.
    pub identifier: String,
    /// Why, when the vendor says.
    pub reason: OptOutReason,
    /// When.
    pub opted_out_at: Option<DateTime<Utc>>,
    /// Vendor fields with no place above.
    #[serde(default)]
    pub extra: Extra,
}

crate::open_enum! {
    /// How often a recurring donation repeats.
    pub enum Recurrence {
        /// Once.
        OneTime => "one_time",
        /// Every week.
        Weekly => "weekly",
        /// Every month.
        Monthly => "monthly",
        /// Every year.
        Yearly => "yearly",
    }
}

/// A donation. Money is in integer minor units (cents), never floats.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Donation {
    /// Where this record came from.
    pub source: SourceRef,
    /// When the vendor last changed it.
    pub modified_at: Option<DateTime<Utc>>,
    /// The donor.
    pub person: Option<SourceRef>,
    /// Amount in minor units of `currency` (1250 = $12.50).
    pub amount_minor: i64,
    /// ISO 4217 code, upper case.
    pub currency: String,
    /// How often it repeats.
    pub recurrence: Recurrence,
    /// When it was received.
    pub received_at: Option<DateTime<Utc>>,
    /// Vendor fields with no place above.
    #[serde(default)]
    pub extra: Extra,
}

/// An action a person took: a form submission, a petition signature.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Action {
    /// Where this record came from.
    pub source: SourceRef,
    /// When.
    pub taken_at: Option<DateTime<Utc>>,
    /// Who.
    pub person: Option<SourceRef>,
    /// What kind (`"form_submission"`, `"petition_signature"`).
    pub action_type: String,
    /// The form or petition acted on.
    pub target: Option<SourceRef>,
    /// Vendor fields with no place above.
    #[serde(default)]
    pub extra: Extra,
}
