//! People: the person record, its contact points, and the match answer.

use serde::{Deserialize, Serialize};

use super::Extra;

/// A VAN person, as returned by `GET /people/{vanId}` and sent to
/// `POST /people/findOrCreate`. Collections VAN did not expand are `None`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Person {
    /// VAN's id for the person.
    #[serde(
        default,
        deserialize_with = "super::lenient::opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub van_id: Option<u64>,
    /// First name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    /// Middle name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub middle_name: Option<String>,
    /// Last name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    /// Suffix.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suffix: Option<String>,
    /// Date of birth, as VAN sends it (`"1975-09-18T00:00:00Z"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_of_birth: Option<String>,
    /// Email addresses.
    #[serde(
        default,
        deserialize_with = "super::lenient::opt_vec",
        skip_serializing_if = "Option::is_none"
    )]
    pub emails: Option<Vec<EmailAddress>>,
    /// Phone numbers.
    #[serde(
        default,
        deserialize_with = "super::lenient::opt_vec",
        skip_serializing_if = "Option::is_none"
    )]
    pub phones: Option<Vec<PhoneNumber>>,
    /// Postal addresses.
    #[serde(
        default,
        deserialize_with = "super::lenient::opt_vec",
        skip_serializing_if = "Option::is_none"
    )]
    pub addresses: Option<Vec<Address>>,
    /// Ids in other systems (`StateFileID`, `dwid`).
    #[serde(
        default,
        deserialize_with = "super::lenient::opt_vec",
        skip_serializing_if = "Option::is_none"
    )]
    pub identifiers: Option<Vec<Identifier>>,
    /// Custom field values, as VAN sends them.
    #[serde(
        default,
        deserialize_with = "super::lenient::opt_vec",
        skip_serializing_if = "Option::is_none"
    )]
    pub custom_fields: Option<Vec<serde_json::Value>>,
    /// Everything else (`party`, `sex`, `salutation`, `codes`, `districts`, …).
    #[serde(flatten)]
    pub extra: Extra,
}

/// An email address.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EmailAddress {
    /// The address.
    pub email: String,
    /// Type code (`"P"` personal, `"W"` work).
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Whether it is the preferred address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_preferred: Option<bool>,
    /// Whether the person is subscribed on it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_subscribed: Option<bool>,
    /// Everything else.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A phone number.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PhoneNumber {
    /// VAN's id for the phone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_id: Option<u64>,
    /// The number as VAN stores it (`"4142020792"`).
    pub phone_number: String,
    /// Extension.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ext: Option<String>,
    /// Type: codes `H`/`W`/`C`/`M`/`F` in requests, words (`"Cell"`) in answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_type: Option<String>,
    /// Whether it is the preferred phone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_preferred: Option<bool>,
    /// SMS opt-in status: `I`/`O`/`U` in requests, `"Opt-In"`, `"Opt-Out"`, `"Unknown"` in answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sms_opt_in_status: Option<String>,
    /// Everything else (`phoneOptInStatus`, `isCellStatus`, `dateCreated`, …).
    #[serde(flatten)]
    pub extra: Extra,
}

/// A postal address.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Address {
    /// VAN's id for the address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address_id: Option<u64>,
    /// Street line (number and name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address_line1: Option<String>,
    /// Second line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address_line2: Option<String>,
    /// City.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// State code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state_or_province: Option<String>,
    /// ZIP (ZIP+4 allowed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zip_or_postal_code: Option<String>,
    /// Country code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country_code: Option<String>,
    /// Type (`"Voting"`, `"Mailing"`).
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Whether it is the preferred address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_preferred: Option<bool>,
    /// Everything else.
    #[serde(flatten)]
    pub extra: Extra,
}

/// An id the person has in another system.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Identifier {
    /// The id type (`"StateFileID"`, `"dwid"`).
    #[serde(rename = "type")]
    pub kind: String,
    /// The id.
    pub external_id: String,
}

/// VAN's answer to a match: `{"vanId":…,"status":…}`, with 201 (created)
/// or 302 (matched an existing person).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatchResult {
    /// The person's VAN id.
    pub van_id: u64,
    /// VAN's status text (its values are UNVERIFIED; the simulator sends
    /// `"Matched"` and `"Stored"`).
    pub status: Option<String>,
    /// Whether VAN created the person (201) rather than matching one (302).
    pub created: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct MatchBody {
    pub(crate) van_id: u64,
    #[serde(default)]
    pub(crate) status: Option<String>,
}

/// A note on a person.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Note {
    /// VAN's id for the note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note_id: Option<u64>,
    /// The text.
    pub text: String,
    /// Whether only some users may see it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_view_restricted: Option<bool>,
    /// When it was written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_date: Option<String>,
    /// Everything else (`category`).
    #[serde(flatten)]
    pub extra: Extra,
}
