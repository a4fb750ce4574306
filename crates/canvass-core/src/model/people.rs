//! People and their contact points.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::{Extra, SourceRef};

crate::open_enum! {
    /// A contact point's subscription (or opt-in) status on its channel.
    ///
    /// Vendors spell these many ways; connectors map theirs here. Email
    /// statuses follow Action Network's list; SMS opt-in maps `OPT_IN`/`I` to
    /// `Subscribed` and `OPT_OUT`/`O` to `Unsubscribed`.
    pub enum SubscriptionStatus {
        /// Subscribed or opted in.
        Subscribed => "subscribed",
        /// Unsubscribed or opted out.
        Unsubscribed => "unsubscribed",
        /// Bouncing (email).
        Bouncing => "bouncing",
        /// Bounced before, now reachable again (email).
        PreviousBounce => "previous_bounce",
        /// Marked us as spam (email).
        SpamComplaint => "spam_complaint",
        /// Marked us as spam before (email).
        PreviousSpamComplaint => "previous_spam_complaint",
        /// The vendor does not know or did not say.
        Unknown => "unknown",
    }
}

impl SubscriptionStatus {
    /// Whether the person must not be contacted on this channel.
    pub fn is_opted_out(&self) -> bool {
        matches!(
            self,
            SubscriptionStatus::Unsubscribed
                | SubscriptionStatus::SpamComplaint
                | SubscriptionStatus::Bouncing
        )
    }
}

#[allow(clippy::derivable_impls)] // the enum is macro-made; `#[default]` cannot reach it
impl Default for SubscriptionStatus {
    fn default() -> Self {
        SubscriptionStatus::Unknown
    }
}

crate::open_enum! {
    /// What kind of line a phone number is.
    pub enum PhoneKind {
        /// A mobile (cell) line.
        Mobile => "mobile",
        /// A landline.
        Landline => "landline",
        /// Not known.
        Unknown => "unknown",
    }
}

#[allow(clippy::derivable_impls)] // the enum is macro-made
impl Default for PhoneKind {
    fn default() -> Self {
        PhoneKind::Unknown
    }
}

/// An email address with its subscription status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Email {
    /// The address, normalized by [`normalize_email`](crate::normalize::normalize_email)
    /// when valid, otherwise as the vendor sent it (see `valid`).
    pub address: String,
    /// Whether the address passed validation.
    #[serde(default = "yes")]
    pub valid: bool,
    /// Whether the vendor marks it as the person's primary address.
    #[serde(default)]
    pub primary: bool,
    /// Subscription status on the email channel.
    #[serde(default)]
    pub status: SubscriptionStatus,
}

/// A phone number with its kind and SMS opt-in status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Phone {
    /// E.164 (`+14142020792`) when `valid`, otherwise the vendor's text kept verbatim.
    pub number: String,
    /// Whether the number is a valid phone number.
    #[serde(default = "yes")]
    pub valid: bool,
    /// Mobile, landline or unknown.
    #[serde(default)]
    pub kind: PhoneKind,
    /// Whether the vendor marks it as primary.
    #[serde(default)]
    pub primary: bool,
    /// SMS opt-in status.
    #[serde(default)]
    pub sms_status: SubscriptionStatus,
}

impl Phone {
    /// Normalizes `raw` (default region US) into a phone record; an invalid
    /// number is kept verbatim with `valid: false`, never dropped.
    ///
    /// ```
    /// use canvass_core::{Phone, PhoneKind};
    /// let p = Phone::parse("(414) 202-0792", PhoneKind::Mobile);
    /// assert_eq!(p.number, "+14142020792");
    /// assert!(p.valid);
    /// assert!(!Phone::parse("555-0143", PhoneKind::Unknown).valid);
    /// ```
    pub fn parse(raw: &str, kind: PhoneKind) -> Phone {
        match crate::normalize::normalize_phone(raw) {
            Ok(number) => Phone {
                number,
                valid: true,
                kind,
                primary: false,
                sms_status: SubscriptionStatus::Unknown,
            },
            Err(_) => Phone {
                number: raw.trim().to_string(),
                valid: false,
                kind,
                primary: false,
                sms_status: SubscriptionStatus::Unknown,
            },
        }
    }
}

impl Email {
    /// Normalizes `raw` into an email record; an invalid address is kept
    /// verbatim with `valid: false`, never dropped.
    ///
    /// ```
    /// use canvass_core::Email;
    /// assert_eq!(Email::parse(" Ana@Example.ORG ").address, "Ana@example.org");
    /// assert!(!Email::parse("not-an-email").valid);
    /// ```
    pub fn parse(raw: &str) -> Email {
        match crate::normalize::normalize_email(raw) {
            Ok(address) => Email {
                address,
                valid: true,
                primary: false,
                status: SubscriptionStatus::Unknown,
            },
            Err(_) => Email {
                address: raw.trim().to_string(),
                valid: false,
                primary: false,
                status: SubscriptionStatus::Unknown,
            },
        }
    }
}

fn yes() -> bool {
    true
}

/// A postal address.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostalAddress {
    /// Street lines, first line first.
    #[serde(default)]
    pub lines: Vec<String>,
    /// City.
    pub locality: Option<String>,
    /// State or province code, e.g. `"GA"`.
    pub region: Option<String>,
    /// Postal code as sent (ZIP+4 kept); see [`zip5`](crate::normalize::zip5) for matching.
    pub postal_code: Option<String>,
    /// ISO country code.
    pub country: Option<String>,
    /// The vendor's label for it (`"Voting"`, `"Mailing"`).
    pub kind: Option<String>,
    /// Whether the vendor marks it as primary.
    #[serde(default)]
    pub primary: bool,
}

/// An id the person has in another system, when a vendor carries it
/// (a VAN id in a Hustle custom field, a state voter-file id in VAN).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExternalId {
    /// The id's system or type, e.g. `"van"` or `"StateFileID"`.
    pub system: String,
    /// The id.
    pub id: String,
}

/// A person as one source knows them.
///
/// Identity resolution in canvass-sync clusters `Person` records from every
/// source into one canonical person.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Person {
    /// Where this record came from.
    pub source: SourceRef,
    /// When the vendor last changed it.
    pub modified_at: Option<DateTime<Utc>>,
    /// When the vendor created it.
    pub created_at: Option<DateTime<Utc>>,
    /// First name.
    pub given_name: Option<String>,
    /// Middle name.
    pub middle_name: Option<String>,
    /// Last name.
    pub family_name: Option<String>,
    /// Date of birth.
    pub birth_date: Option<NaiveDate>,
    /// Email addresses.
    #[serde(default)]
    pub emails: Vec<Email>,
    /// Phone numbers.
    #[serde(default)]
    pub phones: Vec<Phone>,
    /// Postal addresses.
    #[serde(default)]
    pub addresses: Vec<PostalAddress>,
    /// Languages spoken (ISO codes where the vendor gives them).
    #[serde(default)]
    pub languages: Vec<String>,
    /// The vendor's custom fields.
    #[serde(default)]
    pub custom_fields: BTreeMap<String, serde_json::Value>,
    /// Ids the person has in other systems.
    #[serde(default)]
    pub external_ids: Vec<ExternalId>,
    /// Vendor fields with no place above.
    #[serde(default)]
    pub extra: Extra,
}

impl Default for SourceRef {
    fn default() -> Self {
        SourceRef::new("", "")
    }
}

impl Person {
    /// The primary (or first) valid email, if any.
    pub fn primary_email(&self) -> Option<&Email> {
        let mut valid = self.emails.iter().filter(|e| e.valid);
        let first = valid.clone().next();
        valid.find(|e| e.primary).or(first)
    }

    /// The primary (or first) valid phone, if any.
    pub fn primary_phone(&self) -> Option<&Phone> {
        let mut valid = self.phones.iter().filter(|p| p.valid);
        let first = valid.clone().next();
        valid.find(|p| p.primary).or(first)
    }

    /// The primary (or first) postal address, if any.
    pub fn primary_address(&self) -> Option<&PostalAddress> {
        self.addresses
            .iter()
            .find(|a| a.primary)
            .or(self.addresses.first())
    }
}
