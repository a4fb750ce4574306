//! Action Network's request and response types (API v2, OSDI 1.1.1).
//!
//! Every response type keeps the fields canvass does not model in `extra`,
//! so nothing Action Network sends is lost, and takes every field as
//! optional: Action Network leaves out empty fields rather than sending
//! `null`. Timestamps stay text here (`"2014-03-20T21:04:31Z"`) and are
//! parsed by the mapping, which reports a bad one as a record issue instead
//! of failing the page.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The prefix of Action Network's own ids in `identifiers`.
pub const ID_PREFIX: &str = "action_network:";

/// The Action Network id in a list of OSDI `identifiers`
/// (`"action_network:d91b…"` → `"d91b…"`).
///
/// ```
/// use canvass_actionnetwork::models::action_network_id;
/// let ids = vec!["foreign:1".to_string(), "action_network:abc".to_string()];
/// assert_eq!(action_network_id(&ids), Some("abc".to_string()));
/// ```
pub fn action_network_id(identifiers: &[String]) -> Option<String> {
    identifiers
        .iter()
        .find_map(|i| i.strip_prefix(ID_PREFIX))
        .filter(|id| !id.is_empty())
        .map(str::to_string)
}

/// The id at the end of the `href` of link `rel` in a HAL `_links` object
/// (`"…/people/d91b…"` → `"d91b…"`).
pub fn link_id(links: &Map<String, Value>, rel: &str) -> Option<String> {
    let href = links.get(rel)?.get("href")?.as_str()?;
    let path = href.split(['?', '#']).next().unwrap_or_default();
    path.trim_end_matches('/')
        .rsplit('/')
        .next()
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// The Action Network id of any resource given as raw JSON: from its
/// `identifiers`, else from its `self` link.
pub fn resource_id(item: &Value) -> Option<String> {
    let from_identifiers = item
        .get("identifiers")
        .and_then(Value::as_array)
        .and_then(|ids| {
            let ids: Vec<String> = ids
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect();
            action_network_id(&ids)
        });
    from_identifiers.or_else(|| {
        item.get("_links")
            .and_then(Value::as_object)
            .and_then(|l| link_id(l, "self"))
    })
}

/// The `identifiers` / `_links` pair every OSDI resource carries.
pub trait Resource {
    /// The resource's `identifiers`.
    fn identifiers(&self) -> &[String];
    /// The resource's `_links`.
    fn links(&self) -> &Map<String, Value>;

    /// The resource's Action Network id, from `identifiers` or its `self` link.
    fn id(&self) -> Option<String> {
        action_network_id(self.identifiers()).or_else(|| link_id(self.links(), "self"))
    }

    /// The id at the end of link `rel`.
    fn linked_id(&self, rel: &str) -> Option<String> {
        link_id(self.links(), rel)
    }
}

macro_rules! resource {
    ($($t:ty),+) => {$(
        impl Resource for $t {
            fn identifiers(&self) -> &[String] {
                &self.identifiers
            }
            fn links(&self) -> &Map<String, Value> {
                &self.links
            }
        }
    )+};
}

/// An email address of a person.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EmailAddress {
    /// The address as stored.
    #[serde(default)]
    pub address: Option<String>,
    /// Whether it is the primary address.
    #[serde(default)]
    pub primary: Option<bool>,
    /// `subscribed`, `unsubscribed`, `bouncing`, `previous bounce`,
    /// `spam complaint` or `previous spam complaint`.
    #[serde(default)]
    pub status: Option<String>,
    /// Fields canvass does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A phone number of a person.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PhoneNumber {
    /// The number as stored (`"12024444444"`).
    #[serde(default)]
    pub number: Option<String>,
    /// Whether it is the primary number.
    #[serde(default)]
    pub primary: Option<bool>,
    /// OSDI's `number_type` (`"Mobile"`); not confirmed for Action Network.
    #[serde(default)]
    pub number_type: Option<String>,
    /// SMS subscription status (`subscribed`, `unsubscribed`, …).
    #[serde(default)]
    pub status: Option<String>,
    /// Fields canvass does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A postal address (of a person, or an event's location).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PostalAddress {
    /// Whether it is the primary address.
    #[serde(default)]
    pub primary: Option<bool>,
    /// The venue's name (event locations).
    #[serde(default)]
    pub venue: Option<String>,
    /// Street lines.
    #[serde(default)]
    pub address_lines: Vec<String>,
    /// City.
    #[serde(default)]
    pub locality: Option<String>,
    /// State or province.
    #[serde(default)]
    pub region: Option<String>,
    /// Postal code.
    #[serde(default)]
    pub postal_code: Option<String>,
    /// Country code.
    #[serde(default)]
    pub country: Option<String>,
    /// Fields canvass does not model (`location` with latitude and longitude).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A person (`GET /people`, `GET /people/{id}`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Person {
    /// OSDI identifiers; Action Network's own is `action_network:<uuid>`.
    #[serde(default)]
    pub identifiers: Vec<String>,
    /// When created.
    #[serde(default)]
    pub created_date: Option<String>,
    /// When last changed.
    #[serde(default)]
    pub modified_date: Option<String>,
    /// First name.
    #[serde(default)]
    pub given_name: Option<String>,
    /// Last name.
    #[serde(default)]
    pub family_name: Option<String>,
    /// Email addresses.
    #[serde(default)]
    pub email_addresses: Vec<EmailAddress>,
    /// Phone numbers.
    #[serde(default)]
    pub phone_numbers: Vec<PhoneNumber>,
    /// Postal addresses.
    #[serde(default)]
    pub postal_addresses: Vec<PostalAddress>,
    /// Languages spoken (`"en"`).
    #[serde(default)]
    pub languages_spoken: Vec<String>,
    /// Custom fields by name.
    #[serde(default)]
    pub custom_fields: Map<String, Value>,
    /// HAL links.
    #[serde(default, rename = "_links")]
    pub links: Map<String, Value>,
    /// Fields canvass does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A tag (`GET /tags`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Tag {
    /// OSDI identifiers.
    #[serde(default)]
    pub identifiers: Vec<String>,
    /// The tag's name.
    #[serde(default)]
    pub name: Option<String>,
    /// When created.
    #[serde(default)]
    pub created_date: Option<String>,
    /// When last changed.
    #[serde(default)]
    pub modified_date: Option<String>,
    /// HAL links.
    #[serde(default, rename = "_links")]
    pub links: Map<String, Value>,
    /// Fields canvass does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A tag applied to a person (`GET /tags/{id}/taggings`). The person and
/// the tag are only in `_links` (`osdi:person`, `osdi:tag`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Tagging {
    /// OSDI identifiers.
    #[serde(default)]
    pub identifiers: Vec<String>,
    /// When created.
    #[serde(default)]
    pub created_date: Option<String>,
    /// When last changed.
    #[serde(default)]
    pub modified_date: Option<String>,
    /// `"osdi:person"`.
    #[serde(default)]
    pub item_type: Option<String>,
    /// HAL links.
    #[serde(default, rename = "_links")]
    pub links: Map<String, Value>,
    /// Fields canvass does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// An event (`GET /events`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// OSDI identifiers.
    #[serde(default)]
    pub identifiers: Vec<String>,
    /// When created.
    #[serde(default)]
    pub created_date: Option<String>,
    /// When last changed.
    #[serde(default)]
    pub modified_date: Option<String>,
    /// Title.
    #[serde(default)]
    pub title: Option<String>,
    /// Description (HTML).
    #[serde(default)]
    pub description: Option<String>,
    /// Start.
    #[serde(default)]
    pub start_date: Option<String>,
    /// End.
    #[serde(default)]
    pub end_date: Option<String>,
    /// `"public"` or `"private"`.
    #[serde(default)]
    pub visibility: Option<String>,
    /// The public page.
    #[serde(default)]
    pub browser_url: Option<String>,
    /// Where it happens.
    #[serde(default)]
    pub location: Option<PostalAddress>,
    /// HAL links.
    #[serde(default, rename = "_links")]
    pub links: Map<String, Value>,
    /// Fields canvass does not model (`status`, `capacity`, `instructions`, …).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// An RSVP (`GET /events/{id}/attendances`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Attendance {
    /// OSDI identifiers.
    #[serde(default)]
    pub identifiers: Vec<String>,
    /// When created.
    #[serde(default)]
    pub created_date: Option<String>,
    /// When last changed.
    #[serde(default)]
    pub modified_date: Option<String>,
    /// `declined`, `tentative`, `accepted` or `needs action`.
    #[serde(default)]
    pub status: Option<String>,
    /// The person's id.
    #[serde(default, rename = "action_network:person_id")]
    pub person_id: Option<String>,
    /// The event's id.
    #[serde(default, rename = "action_network:event_id")]
    pub event_id: Option<String>,
    /// HAL links.
    #[serde(default, rename = "_links")]
    pub links: Map<String, Value>,
    /// Fields canvass does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A recurring donation's period.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Recurrence {
    /// Whether it recurs.
    #[serde(default)]
    pub recurring: Option<bool>,
    /// `"Monthly"`, `"Weekly"`, `"Yearly"`, …
    #[serde(default)]
    pub period: Option<String>,
    /// Fields canvass does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A donation (`GET /donations`). `amount` is text (`"25.00"`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Donation {
    /// OSDI identifiers.
    #[serde(default)]
    pub identifiers: Vec<String>,
    /// When created (received).
    #[serde(default)]
    pub created_date: Option<String>,
    /// When last changed.
    #[serde(default)]
    pub modified_date: Option<String>,
    /// The amount as text.
    #[serde(default)]
    pub amount: Option<String>,
    /// ISO 4217 code.
    #[serde(default)]
    pub currency: Option<String>,
    /// Recurrence.
    #[serde(default, rename = "action_network:recurrence")]
    pub recurrence: Option<Recurrence>,
    /// The donor's id.
    #[serde(default, rename = "action_network:person_id")]
    pub person_id: Option<String>,
    /// The fundraising page's id.
    #[serde(default, rename = "action_network:fundraising_page_id")]
    pub fundraising_page_id: Option<String>,
    /// HAL links.
    #[serde(default, rename = "_links")]
    pub links: Map<String, Value>,
    /// Fields canvass does not model (`recipients`, `payment`, `referrer_data`).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A form submission or petition signature: an action a person took.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Submission {
    /// OSDI identifiers.
    #[serde(default)]
    pub identifiers: Vec<String>,
    /// When created (the action was taken).
    #[serde(default)]
    pub created_date: Option<String>,
    /// When last changed.
    #[serde(default)]
    pub modified_date: Option<String>,
    /// The person's id. The published submissions example spells it
    /// `action:person_id`; both are read.
    #[serde(
        default,
        rename = "action_network:person_id",
        alias = "action:person_id"
    )]
    pub person_id: Option<String>,
    /// HAL links.
    #[serde(default, rename = "_links")]
    pub links: Map<String, Value>,
    /// Fields canvass does not model (`comments`, `referrer_data`, the form or petition id).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// An action page: a form, a petition, a fundraising page, a list, a message.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ActionPage {
    /// OSDI identifiers.
    #[serde(default)]
    pub identifiers: Vec<String>,
    /// When created.
    #[serde(default)]
    pub created_date: Option<String>,
    /// When last changed.
    #[serde(default)]
    pub modified_date: Option<String>,
    /// Title (`name` for lists, `subject` for messages are in `extra`).
    #[serde(default)]
    pub title: Option<String>,
    /// HAL links.
    #[serde(default, rename = "_links")]
    pub links: Map<String, Value>,
    /// Fields canvass does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

resource!(
    Person, Tag, Tagging, Event, Attendance, Donation, Submission, ActionPage
);

/// A contact point's status as sent in a write.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SignupEmail {
    /// The address.
    pub address: String,
    /// `subscribed` or `unsubscribed`; left out to keep an existing person's status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}

/// A phone number as sent in a write.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SignupPhone {
    /// The number (digits, `"15555550100"`).
    pub number: String,
    /// `subscribed` or `unsubscribed`. New numbers are unsubscribed unless
    /// `subscribed` is passed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}

/// A postal address as sent in a write.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SignupAddress {
    /// Street lines.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub address_lines: Vec<String>,
    /// City.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub locality: Option<String>,
    /// State.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Postal code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    /// Country code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
}

/// The `person` hash of the person signup helper and the record-attendance
/// helper.
///
/// ```
/// use canvass_actionnetwork::models::{SignupPerson, SignupEmail};
/// let p = SignupPerson {
///     given_name: Some("Ana".into()),
///     email_addresses: vec![SignupEmail { address: "ana@example.org".into(), status: None }],
///     ..SignupPerson::default()
/// };
/// let json = serde_json::to_value(&p).unwrap();
/// assert_eq!(json["email_addresses"][0]["address"], "ana@example.org");
/// assert!(json.get("family_name").is_none());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SignupPerson {
    /// First name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub given_name: Option<String>,
    /// Last name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub family_name: Option<String>,
    /// Emails.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub email_addresses: Vec<SignupEmail>,
    /// Phones.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub phone_numbers: Vec<SignupPhone>,
    /// Addresses.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub postal_addresses: Vec<SignupAddress>,
    /// Languages spoken.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub languages_spoken: Vec<String>,
    /// Custom fields.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub custom_fields: Map<String, Value>,
}

impl SignupPerson {
    /// Whether the helper can match or create a person from this: Action
    /// Network needs an email address or a phone number.
    pub fn has_contact(&self) -> bool {
        self.email_addresses
            .iter()
            .any(|e| !e.address.trim().is_empty())
            || self
                .phone_numbers
                .iter()
                .any(|p| !p.number.trim().is_empty())
    }
}

/// Attendance statuses as Action Network spells them.
pub mod attendance_status {
    /// Said yes.
    pub const ACCEPTED: &str = "accepted";
    /// Said maybe.
    pub const TENTATIVE: &str = "tentative";
    /// Said no.
    pub const DECLINED: &str = "declined";
    /// Invited, no answer.
    pub const NEEDS_ACTION: &str = "needs action";
}
