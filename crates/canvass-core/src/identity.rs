//! Match keys: the strings that say two person records may be one human.
//!
//! The combinations follow VAN's documented minimum match inputs, with names
//! folded for case, accents and punctuation the way VAN's matching ignores them:
//!
//! | key | made of |
//! |---|---|
//! | `email` | the email's match form |
//! | `name_phone` | first + last + E.164 phone |
//! | `name_zip_dob` | first + last + ZIP5 + date of birth |
//! | `name_street_zip` | first + last + street line + ZIP5 |

use serde::{Deserialize, Serialize};

use crate::Person;
use crate::normalize::{email_match_form, fold_name, zip5};

crate::open_enum! {
    /// Which combination a [`MatchKey`] was built from, strongest first.
    pub enum MatchRule {
        /// Email alone.
        Email => "email",
        /// First + last + phone.
        NamePhone => "name_phone",
        /// First + last + ZIP5 + date of birth.
        NameZipDob => "name_zip_dob",
        /// First + last + street + ZIP5.
        NameStreetZip => "name_street_zip",
        /// No shared key: a probabilistic (Fellegi–Sunter) score over the
        /// compared fields passed the configured threshold.
        Probabilistic => "probabilistic",
    }
}

/// One match key of a person.
///
/// ```
/// use canvass_core::{Person, Email, Phone, PhoneKind, SourceRef};
/// use canvass_core::identity::{match_keys, MatchRule};
///
/// let mut p = Person { source: SourceRef::new("x", "1"), ..Person::default() };
/// p.given_name = Some("José".into());
/// p.family_name = Some("O'Neil".into());
/// p.emails.push(Email::parse("Jose@Example.org"));
/// p.phones.push(Phone::parse("(414) 202-0792", PhoneKind::Mobile));
/// let keys = match_keys(&p);
/// assert_eq!(keys[0].rule, MatchRule::Email);
/// assert_eq!(keys[0].value, "jose@example.org");
/// assert_eq!(keys[1].value, "jose|oneil|+14142020792");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct MatchKey {
    /// Which combination.
    pub rule: MatchRule,
    /// The folded value.
    pub value: String,
}

impl std::fmt::Display for MatchKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.rule, self.value)
    }
}

/// Every match key a person has, strongest rule first, without duplicates.
pub fn match_keys(person: &Person) -> Vec<MatchKey> {
    let mut keys = Vec::new();
    for email in person.emails.iter().filter(|e| e.valid) {
        if let Some(value) = email_match_form(&email.address) {
            keys.push(MatchKey {
                rule: MatchRule::Email,
                value,
            });
        }
    }
    let first = person.given_name.as_deref().map(fold_name);
    let last = person.family_name.as_deref().map(fold_name);
    if let (Some(first), Some(last)) = (first, last)
        && !first.is_empty()
        && !last.is_empty()
    {
        for phone in person.phones.iter().filter(|p| p.valid) {
            keys.push(MatchKey {
                rule: MatchRule::NamePhone,
                value: format!("{first}|{last}|{}", phone.number),
            });
        }
        let zips: Vec<(String, Option<String>)> = person
            .addresses
            .iter()
            .filter_map(|a| {
                let zip = zip5(a.postal_code.as_deref()?).ok()?;
                let street = a
                    .lines
                    .first()
                    .map(|l| fold_name(l))
                    .filter(|s| !s.is_empty());
                Some((zip, street))
            })
            .collect();
        if let Some(dob) = person.birth_date {
            for (zip, _) in &zips {
                keys.push(MatchKey {
                    rule: MatchRule::NameZipDob,
                    value: format!("{first}|{last}|{zip}|{dob}"),
                });
            }
        }
        for (zip, street) in &zips {
            if let Some(street) = street {
                keys.push(MatchKey {
                    rule: MatchRule::NameStreetZip,
                    value: format!("{first}|{last}|{street}|{zip}"),
                });
            }
        }
    }
    let mut seen = std::collections::HashSet::new();
    keys.retain(|k| seen.insert(k.clone()));
    keys
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Email, Phone, PhoneKind, PostalAddress, SourceRef};

    fn person() -> Person {
        Person {
            source: SourceRef::new("t", "1"),
            given_name: Some("Ana".into()),
            family_name: Some("Núñez".into()),
            ..Person::default()
        }
    }

    #[test]
    fn same_human_different_formatting_shares_keys() {
        let mut a = person();
        a.phones
            .push(Phone::parse("414-202-0792", PhoneKind::Mobile));
        a.emails.push(Email::parse("ANA@example.org"));
        let mut b = person();
        b.given_name = Some(" ana ".into());
        b.family_name = Some("NUNEZ".into());
        b.phones
            .push(Phone::parse("+1 (414) 202 0792", PhoneKind::Unknown));
        b.emails.push(Email::parse(" ana@EXAMPLE.org"));
        assert_eq!(match_keys(&a), match_keys(&b));
    }

    #[test]
    fn no_name_means_only_email_keys() {
        let mut p = person();
        p.given_name = None;
        p.emails.push(Email::parse("a@b.org"));
        p.phones
            .push(Phone::parse("414-202-0792", PhoneKind::Mobile));
        let keys = match_keys(&p);
        assert_eq!(keys.len(), 1);
        assert_eq!(keys[0].rule, MatchRule::Email);
    }

    #[test]
    fn invalid_contact_points_make_no_keys() {
        let mut p = person();
        p.emails.push(Email::parse("nope"));
        p.phones.push(Phone::parse("555-0143", PhoneKind::Mobile));
        assert!(match_keys(&p).is_empty());
    }

    #[test]
    fn address_keys_use_zip5_and_street() {
        let mut p = person();
        p.birth_date = chrono::NaiveDate::from_ymd_opt(1975, 9, 18);
        p.addresses.push(PostalAddress {
            lines: vec!["900 N Washtenaw Ave".into()],
            postal_code: Some("60622-4455".into()),
            ..PostalAddress::default()
        });
        let keys: Vec<String> = match_keys(&p).iter().map(|k| k.to_string()).collect();
        assert_eq!(
            keys,
            vec![
                "name_zip_dob:ana|nunez|60622|1975-09-18",
                "name_street_zip:ana|nunez|900nwashtenawave|60622"
            ]
        );
    }
}
