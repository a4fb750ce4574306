//! Mobilize API v1 request and response types.
//!
//! Decoding is tolerant where the docs are loose: every timestamp is Unix
//! seconds but also accepted as a float or a numeric string; lists the docs
//! show as arrays may be `null`; district fields are read under both names the
//! docs use (`congressional_district` and `congressional_district_value`);
//! unknown enum values become `Other(..)`; and every field the model does not
//! name is kept in `extra`.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

/// Vendor fields not named by a model, kept verbatim.
pub type Extra = Map<String, Value>;

canvass_core::open_enum! {
    /// A Mobilize event type. The docs say "this list may expand".
    pub enum EventType {
        /// `CANVASS`.
        Canvass => "CANVASS",
        /// `PHONE_BANK`.
        PhoneBank => "PHONE_BANK",
        /// `TEXT_BANK`.
        TextBank => "TEXT_BANK",
        /// `MEETING`.
        Meeting => "MEETING",
        /// `COMMUNITY`.
        Community => "COMMUNITY",
        /// `FUNDRAISER`.
        Fundraiser => "FUNDRAISER",
        /// `MEET_GREET`.
        MeetGreet => "MEET_GREET",
        /// `HOUSE_PARTY`.
        HouseParty => "HOUSE_PARTY",
        /// `VOTER_REG`.
        VoterReg => "VOTER_REG",
        /// `TRAINING`.
        Training => "TRAINING",
        /// `FRIEND_TO_FRIEND_OUTREACH`.
        FriendToFriendOutreach => "FRIEND_TO_FRIEND_OUTREACH",
        /// `DEBATE_WATCH_PARTY`.
        DebateWatchParty => "DEBATE_WATCH_PARTY",
        /// `ADVOCACY_CALL`.
        AdvocacyCall => "ADVOCACY_CALL",
        /// `RALLY`.
        Rally => "RALLY",
        /// `TOWN_HALL`.
        TownHall => "TOWN_HALL",
        /// `OFFICE_OPENING`.
        OfficeOpening => "OFFICE_OPENING",
        /// `BARNSTORM`.
        Barnstorm => "BARNSTORM",
        /// `SOLIDARITY_EVENT`.
        SolidarityEvent => "SOLIDARITY_EVENT",
        /// `COMMUNITY_CANVASS`.
        CommunityCanvass => "COMMUNITY_CANVASS",
        /// `SIGNATURE_GATHERING`.
        SignatureGathering => "SIGNATURE_GATHERING",
        /// `CARPOOL`.
        Carpool => "CARPOOL",
        /// `OTHER`.
        OtherType => "OTHER",
    }
}

canvass_core::open_enum! {
    /// Event (and address) visibility.
    pub enum Visibility {
        /// `PUBLIC`.
        Public => "PUBLIC",
        /// `PRIVATE`.
        Private => "PRIVATE",
    }
}

canvass_core::open_enum! {
    /// A person's SMS opt-in status for the requesting organization.
    pub enum SmsOptInStatus {
        /// `UNSPECIFIED`.
        Unspecified => "UNSPECIFIED",
        /// `OPT_IN`.
        OptIn => "OPT_IN",
        /// `OPT_OUT`.
        OptOut => "OPT_OUT",
    }
}

canvass_core::open_enum! {
    /// An attendance's signup status.
    pub enum SignupStatus {
        /// `REGISTERED`.
        Registered => "REGISTERED",
        /// `CONFIRMED`.
        Confirmed => "CONFIRMED",
        /// `CANCELLED`.
        Cancelled => "CANCELLED",
    }
}

/// The envelope every Mobilize answer comes in.
///
/// ```
/// use canvass_mobilize::models::Envelope;
/// let e: Envelope<Vec<serde_json::Value>> =
///     serde_json::from_str(r#"{"data":[],"error":null,"count":0,"next":null,"previous":null}"#).unwrap();
/// assert_eq!(e.count, Some(0));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Envelope<T> {
    /// The page's objects (or the one object); `null` on error.
    pub data: Option<T>,
    /// The field-keyed error object, when the request failed.
    #[serde(default)]
    pub error: Option<Value>,
    /// Objects across all pages.
    #[serde(default)]
    pub count: Option<u64>,
    /// The next page's URL (its `cursor` parameter inside).
    #[serde(default)]
    pub next: Option<String>,
    /// The previous page's URL.
    #[serde(default)]
    pub previous: Option<String>,
    /// Set by search-backed queries (`zipcode`, `max_dist`, `exclude_full`,
    /// `tag_id`): results stop at this many.
    #[serde(default)]
    pub results_limited_to: Option<u64>,
}

/// An organization.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Organization {
    /// Id.
    pub id: u64,
    /// Public name.
    #[serde(default)]
    pub name: Option<String>,
    /// URL slug.
    #[serde(default)]
    pub slug: Option<String>,
    /// `CAMPAIGN`, `STATE_PARTY`, `COORDINATED`, `INDEPENDENT`, ...
    #[serde(default)]
    pub org_type: Option<String>,
    /// Two-letter state, may be empty.
    #[serde(default)]
    pub state: Option<String>,
    /// Created, Unix seconds.
    #[serde(default, deserialize_with = "unix_opt")]
    pub created_date: Option<i64>,
    /// Modified, Unix seconds.
    #[serde(default, deserialize_with = "unix_opt")]
    pub modified_date: Option<i64>,
    /// Everything else.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A shift of an event. `end_date` may be absent.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Timeslot {
    /// Id (omitted on attendances an independent organization reads of a
    /// coordinated event).
    #[serde(default)]
    pub id: Option<u64>,
    /// Start, Unix seconds.
    #[serde(default, deserialize_with = "unix_opt")]
    pub start_date: Option<i64>,
    /// End, Unix seconds; some timeslots have none.
    #[serde(default, deserialize_with = "unix_opt")]
    pub end_date: Option<i64>,
    /// Capacity.
    #[serde(default)]
    pub max_attendees: Option<u32>,
    /// Whether it is full.
    #[serde(default)]
    pub is_full: Option<bool>,
    /// Instructions for volunteers.
    #[serde(default)]
    pub instructions: Option<String>,
    /// Everything else.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A geocoded point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GeoPoint {
    /// Latitude.
    pub latitude: Option<f64>,
    /// Longitude.
    pub longitude: Option<f64>,
}

/// An event's location (`null` for virtual events).
///
/// The docs' field table names the districts `congressional_district`,
/// `state_leg_district` and `state_senate_district`; their examples say
/// `congressional_district_value` and so on. Both are read; use the
/// accessor methods, which prefer whichever is present.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Location {
    /// Venue name (or the "address is private" notice).
    #[serde(default)]
    pub venue: Option<String>,
    /// Two address lines, possibly empty strings.
    #[serde(default, deserialize_with = "vec_or_null")]
    pub address_lines: Vec<String>,
    /// City.
    #[serde(default)]
    pub locality: Option<String>,
    /// State code.
    #[serde(default)]
    pub region: Option<String>,
    /// ISO country code.
    #[serde(default)]
    pub country: Option<String>,
    /// ZIP.
    #[serde(default)]
    pub postal_code: Option<String>,
    /// Geocoded point, `null` when geocoding failed.
    #[serde(default)]
    pub location: Option<GeoPoint>,
    /// Congressional district (field-table spelling).
    #[serde(
        default,
        deserialize_with = "string_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub congressional_district: Option<String>,
    /// Congressional district (example spelling).
    #[serde(
        default,
        deserialize_with = "string_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub congressional_district_value: Option<String>,
    /// State lower-house district (field-table spelling).
    #[serde(
        default,
        deserialize_with = "string_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub state_leg_district: Option<String>,
    /// State lower-house district (example spelling).
    #[serde(
        default,
        deserialize_with = "string_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub state_leg_district_value: Option<String>,
    /// State senate district (field-table spelling).
    #[serde(
        default,
        deserialize_with = "string_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub state_senate_district: Option<String>,
    /// State senate district (example spelling).
    #[serde(
        default,
        deserialize_with = "string_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub state_senate_district_value: Option<String>,
    /// Everything else.
    #[serde(flatten)]
    pub extra: Extra,
}

fn either(a: &Option<String>, b: &Option<String>) -> Option<String> {
    a.as_ref().or(b.as_ref()).filter(|s| !s.is_empty()).cloned()
}

impl Location {
    /// The congressional district, under either spelling.
    ///
    /// ```
    /// use canvass_mobilize::models::Location;
    /// let a: Location = serde_json::from_str(r#"{"congressional_district":"12"}"#).unwrap();
    /// let b: Location = serde_json::from_str(r#"{"congressional_district_value":12}"#).unwrap();
    /// assert_eq!(a.congressional(), Some("12".into()));
    /// assert_eq!(b.congressional(), Some("12".into()));
    /// ```
    pub fn congressional(&self) -> Option<String> {
        either(
            &self.congressional_district,
            &self.congressional_district_value,
        )
    }

    /// The state lower-house district, under either spelling.
    pub fn state_leg(&self) -> Option<String> {
        either(&self.state_leg_district, &self.state_leg_district_value)
    }

    /// The state senate district, under either spelling.
    pub fn state_senate(&self) -> Option<String> {
        either(
            &self.state_senate_district,
            &self.state_senate_district_value,
        )
    }
}

/// An event's contact; `null` on unauthenticated requests.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Contact {
    /// Name.
    #[serde(default)]
    pub name: Option<String>,
    /// Email (the docs' table misspells it `email_adddress`; both are read,
    /// see [`Contact::email`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_address: Option<String>,
    /// The misspelled variant from the docs' field table.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_adddress: Option<String>,
    /// Phone.
    #[serde(default)]
    pub phone_number: Option<String>,
    /// The owning user's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_user_id: Option<u64>,
    /// Everything else.
    #[serde(flatten)]
    pub extra: Extra,
}

impl Contact {
    /// The email, under either spelling.
    pub fn email(&self) -> Option<&str> {
        self.email_address
            .as_deref()
            .or(self.email_adddress.as_deref())
    }
}

/// An event tag.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Tag {
    /// Id.
    pub id: u64,
    /// Name.
    pub name: String,
}

/// An event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Id (omitted on attendances an independent organization reads of a
    /// coordinated event: then only `event_type` is present).
    #[serde(default)]
    pub id: Option<u64>,
    /// Title.
    #[serde(default)]
    pub title: Option<String>,
    /// Subheading.
    #[serde(default)]
    pub summary: Option<String>,
    /// HTML description.
    #[serde(default)]
    pub description: Option<String>,
    /// IANA time zone.
    #[serde(default)]
    pub timezone: Option<String>,
    /// Type; unknown types are kept as `Other`.
    #[serde(default)]
    pub event_type: Option<EventType>,
    /// The owning organization.
    #[serde(default)]
    pub sponsor: Option<Organization>,
    /// Past and future timeslots (`null` on some embedded events).
    #[serde(default, deserialize_with = "vec_or_null")]
    pub timeslots: Vec<Timeslot>,
    /// Location; `null` when virtual.
    #[serde(default)]
    pub location: Option<Location>,
    /// Visibility.
    #[serde(default)]
    pub visibility: Option<Visibility>,
    /// Address visibility.
    #[serde(default)]
    pub address_visibility: Option<Visibility>,
    /// Whether it is virtual.
    #[serde(default)]
    pub is_virtual: Option<bool>,
    /// Where an unshifted virtual event redirects.
    #[serde(default)]
    pub virtual_action_url: Option<String>,
    /// Contact; `null` when unauthenticated.
    #[serde(default)]
    pub contact: Option<Contact>,
    /// Tags.
    #[serde(default, deserialize_with = "vec_or_null")]
    pub tags: Vec<Tag>,
    /// Canonical URL.
    #[serde(default)]
    pub browser_url: Option<String>,
    /// Whether the organization marks it high priority.
    #[serde(default)]
    pub high_priority: Option<bool>,
    /// Created, Unix seconds.
    #[serde(default, deserialize_with = "unix_opt")]
    pub created_date: Option<i64>,
    /// Modified, Unix seconds.
    #[serde(default, deserialize_with = "unix_opt")]
    pub modified_date: Option<i64>,
    /// Everything else (accessibility, approval status, event campaign, ...).
    #[serde(flatten)]
    pub extra: Extra,
}

/// A deleted event, from the deleted-events endpoints.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeletedEvent {
    /// The deleted event's id.
    pub id: u64,
    /// When, Unix seconds.
    #[serde(default, deserialize_with = "unix_opt")]
    pub deleted_date: Option<i64>,
    /// Everything else.
    #[serde(flatten)]
    pub extra: Extra,
}

/// One email of a person (Mobilize people have exactly one, which identifies them).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EmailAddress {
    /// Always true per the docs.
    #[serde(default)]
    pub primary: Option<bool>,
    /// The address.
    #[serde(default)]
    pub address: Option<String>,
}

/// One phone of a person.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PhoneNumber {
    /// Always true per the docs.
    #[serde(default)]
    pub primary: Option<bool>,
    /// The number as typed.
    #[serde(default)]
    pub number: Option<String>,
}

/// One postal address of a person (usually only a ZIP).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PostalAddress {
    /// Always true per the docs.
    #[serde(default)]
    pub primary: Option<bool>,
    /// ZIP.
    #[serde(default)]
    pub postal_code: Option<String>,
    /// Everything else (street lines, locality, region when present).
    #[serde(flatten)]
    pub extra: Extra,
}

/// A person (volunteer).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Person {
    /// Id (equal to `person_id`).
    #[serde(default)]
    pub id: Option<u64>,
    /// Deprecated twin of `id`; `null` for new people.
    #[serde(default)]
    pub person_id: Option<u64>,
    /// The user id, "the canonical id going forward".
    #[serde(default)]
    pub user_id: Option<u64>,
    /// Created, Unix seconds.
    #[serde(default, deserialize_with = "unix_opt")]
    pub created_date: Option<i64>,
    /// Modified, Unix seconds.
    #[serde(default, deserialize_with = "unix_opt")]
    pub modified_date: Option<i64>,
    /// First name.
    #[serde(default)]
    pub given_name: Option<String>,
    /// Last name.
    #[serde(default)]
    pub family_name: Option<String>,
    /// Emails (may be empty when another organization restricts sharing).
    #[serde(default, deserialize_with = "vec_or_null")]
    pub email_addresses: Vec<EmailAddress>,
    /// Phones.
    #[serde(default, deserialize_with = "vec_or_null")]
    pub phone_numbers: Vec<PhoneNumber>,
    /// Postal addresses.
    #[serde(default, deserialize_with = "vec_or_null")]
    pub postal_addresses: Vec<PostalAddress>,
    /// SMS opt-in status for the requesting organization.
    #[serde(default)]
    pub sms_opt_in_status: Option<SmsOptInStatus>,
    /// When the person was blocked, Unix seconds.
    #[serde(default, deserialize_with = "unix_opt")]
    pub blocked_date: Option<i64>,
    /// Everything else.
    #[serde(flatten)]
    pub extra: Extra,
}

impl Person {
    /// The id canvass uses for this person: `id`, else `person_id`, else
    /// `user:<user_id>` (a different id space, so it is prefixed).
    ///
    /// ```
    /// use canvass_mobilize::models::Person;
    /// let p: Person = serde_json::from_str(r#"{"person_id":null,"user_id":123}"#).unwrap();
    /// assert_eq!(p.canonical_id().as_deref(), Some("user:123"));
    /// ```
    pub fn canonical_id(&self) -> Option<String> {
        self.id
            .or(self.person_id)
            .map(|id| id.to_string())
            .or_else(|| self.user_id.map(|u| format!("user:{u}")))
    }

    /// The primary (or first) email address.
    pub fn email(&self) -> Option<&str> {
        let first = self
            .email_addresses
            .iter()
            .find_map(|e| e.address.as_deref());
        self.email_addresses
            .iter()
            .find(|e| e.primary == Some(true))
            .and_then(|e| e.address.as_deref())
            .or(first)
    }

    /// The primary (or first) phone number.
    pub fn phone(&self) -> Option<&str> {
        let first = self.phone_numbers.iter().find_map(|e| e.number.as_deref());
        self.phone_numbers
            .iter()
            .find(|e| e.primary == Some(true))
            .and_then(|e| e.number.as_deref())
            .or(first)
    }

    /// The primary (or first) ZIP.
    pub fn postal_code(&self) -> Option<&str> {
        let first = self
            .postal_addresses
            .iter()
            .find_map(|e| e.postal_code.as_deref());
        self.postal_addresses
            .iter()
            .find(|e| e.primary == Some(true))
            .and_then(|e| e.postal_code.as_deref())
            .or(first)
    }
}

/// UTM tracking of a signup.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Referrer {
    /// `utm_source`.
    #[serde(default)]
    pub utm_source: Option<String>,
    /// `utm_medium`.
    #[serde(default)]
    pub utm_medium: Option<String>,
    /// `utm_campaign`.
    #[serde(default)]
    pub utm_campaign: Option<String>,
    /// `utm_term`.
    #[serde(default)]
    pub utm_term: Option<String>,
    /// `utm_content`.
    #[serde(default)]
    pub utm_content: Option<String>,
    /// The page the signup came from.
    #[serde(default)]
    pub url: Option<String>,
    /// Everything else.
    #[serde(flatten)]
    pub extra: Extra,
}

/// An answer to a custom signup question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomSignupFieldValue {
    /// The question's id.
    #[serde(default)]
    pub custom_field_id: Option<u64>,
    /// The question's name.
    #[serde(default)]
    pub custom_field_name: Option<String>,
    /// A text answer.
    #[serde(default)]
    pub text_value: Option<String>,
    /// A yes/no answer.
    #[serde(default)]
    pub boolean_value: Option<bool>,
    /// Everything else.
    #[serde(flatten)]
    pub extra: Extra,
}

/// An attendance (a signup for one timeslot).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attendance {
    /// Id; omitted when an independent organization reads a coordinated
    /// organization's event (see [`Attendance::canonical_id`]).
    #[serde(default)]
    pub id: Option<u64>,
    /// Created, Unix seconds.
    #[serde(default, deserialize_with = "unix_opt")]
    pub created_date: Option<i64>,
    /// Modified, Unix seconds.
    #[serde(default, deserialize_with = "unix_opt")]
    pub modified_date: Option<i64>,
    /// `REGISTERED`, `CONFIRMED`, `CANCELLED`, or a value not yet documented.
    #[serde(default)]
    pub status: Option<SignupStatus>,
    /// Whether the person came; `null` when not recorded.
    #[serde(default)]
    pub attended: Option<bool>,
    /// Who.
    #[serde(default)]
    pub person: Option<Person>,
    /// Which event.
    #[serde(default)]
    pub event: Option<Event>,
    /// Which timeslot.
    #[serde(default)]
    pub timeslot: Option<Timeslot>,
    /// The promoting organization, else the event's.
    #[serde(default)]
    pub sponsor: Option<Organization>,
    /// UTM tracking.
    #[serde(default)]
    pub referrer: Option<Referrer>,
    /// Answers to custom signup questions.
    #[serde(default, deserialize_with = "vec_or_null")]
    pub custom_signup_field_values: Vec<CustomSignupFieldValue>,
    /// Everything else.
    #[serde(flatten)]
    pub extra: Extra,
}

impl Attendance {
    /// The attendance's id, or, when Mobilize omits it, a stable id derived
    /// from person, event and timeslot (see [`derived_attendance_id`]).
    pub fn canonical_id(&self) -> String {
        match self.id {
            Some(id) => id.to_string(),
            None => derived_attendance_id(
                self.person
                    .as_ref()
                    .and_then(Person::canonical_id)
                    .as_deref(),
                self.event.as_ref().and_then(|e| e.id),
                self.timeslot.as_ref().and_then(|t| t.id),
                self.timeslot.as_ref().and_then(|t| t.start_date),
            ),
        }
    }
}

/// The stable id canvass gives an attendance Mobilize sent without one:
/// `p<person>-e<event>-t<timeslot>`, with the timeslot's start (`s<unix>`)
/// standing in for a timeslot id that is omitted too, and `?` for anything
/// unknown.
///
/// ```
/// use canvass_mobilize::models::derived_attendance_id;
/// assert_eq!(derived_attendance_id(Some("57"), Some(345), Some(1), None), "p57-e345-t1");
/// assert_eq!(derived_attendance_id(Some("57"), None, None, Some(1536679800)), "p57-e?-s1536679800");
/// ```
pub fn derived_attendance_id(
    person: Option<&str>,
    event: Option<u64>,
    timeslot: Option<u64>,
    timeslot_start: Option<i64>,
) -> String {
    let person = person.unwrap_or("?");
    let event = event.map_or_else(|| "?".to_string(), |e| e.to_string());
    let slot = match (timeslot, timeslot_start) {
        (Some(t), _) => format!("t{t}"),
        (None, Some(s)) => format!("s{s}"),
        (None, None) => "t?".to_string(),
    };
    format!("p{person}-e{event}-{slot}")
}

/// The person in a signup request. Mobilize matches and deduplicates people
/// by `email_address`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttendancePerson {
    /// First name (required).
    pub given_name: String,
    /// Last name (required).
    pub family_name: String,
    /// Email (required; the person's identity in Mobilize).
    pub email_address: String,
    /// Phone (optional since 2019-12-09).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
    /// ZIP (required).
    pub postal_code: String,
}

/// One timeslot in a signup request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeslotRef {
    /// The timeslot's id.
    pub timeslot_id: u64,
}

/// The body of `POST /organizations/:org/events/:id/attendances`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreateAttendance {
    /// Who signs up.
    pub person: AttendancePerson,
    /// `OPT_IN` or `UNSPECIFIED` (the default when left out).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sms_opt_in_status: Option<SmsOptInStatus>,
    /// The timeslots; one attendance is created per timeslot.
    pub timeslots: Vec<TimeslotRef>,
    /// UTM tracking.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referrer: Option<Referrer>,
}

/// A timeslot in an event write (`id` only to keep an existing one on update).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeslotInput {
    /// An existing timeslot's id, to keep it on update.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
    /// Start, Unix seconds.
    pub start_date: i64,
    /// End, Unix seconds.
    pub end_date: i64,
}

/// The body of event create (`POST`) and update (`PUT`). On update every
/// editable field must be sent: what is left out is removed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventInput {
    /// Title (required).
    pub title: String,
    /// Subheading.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// HTML description (required).
    pub description: String,
    /// Timeslots (required).
    pub timeslots: Vec<TimeslotInput>,
    /// Location; `postal_code` is required.
    pub location: Location,
    /// IANA time zone (required).
    pub timezone: String,
    /// Type (required; `ADVOCACY_CALL` cannot be written).
    pub event_type: EventType,
    /// Visibility (required).
    pub visibility: Visibility,
    /// Contact (required).
    pub contact: Contact,
    /// Tags by id.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tag_ids: Vec<u64>,
    /// `ACCESSIBLE`, `NOT_ACCESSIBLE`, `NOT_SURE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accessibility_status: Option<String>,
    /// Accessibility notes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accessibility_notes: Option<String>,
}

/// Accepts an integer, a float or a numeric string as Unix seconds; `null`
/// and empty strings are `None`.
fn unix_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    use serde::de::Error;
    let v = Option::<Value>::deserialize(d)?;
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n
            .as_i64()
            .or_else(|| n.as_f64().filter(|f| f.is_finite()).map(|f| f as i64))
            .map(Some)
            .ok_or_else(|| D::Error::custom(format!("{n} is not a Unix timestamp"))),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => s
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .map(|f| Some(f as i64))
            .ok_or_else(|| D::Error::custom(format!("{s:?} is not a Unix timestamp"))),
        Some(other) => Err(D::Error::custom(format!(
            "expected a Unix timestamp, found {other}"
        ))),
    }
}

/// Accepts a string or a number as text.
fn string_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    use serde::de::Error;
    match Option::<Value>::deserialize(d)? {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(Value::Number(n)) => Ok(Some(n.to_string())),
        Some(other) => Err(D::Error::custom(format!("expected text, found {other}"))),
    }
}

/// A list that may be `null`.
fn vec_or_null<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Vec<T>, D::Error> {
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}
