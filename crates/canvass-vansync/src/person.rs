//! Person resolution into VAN: the findOrCreate body for a canonical person.
//!
//! VAN matches on a few documented combinations (first + last + email,
//! first + last + phone, first + last + ZIP5 + date of birth, first + last +
//! street number and name + ZIP5, email alone). The sync sends the
//! *strongest* combination one source record of the person carries, and
//! nothing else: VAN then cannot match on a weaker combination (a shared
//! family phone) than the one the person really has, and a person created
//! in VAN carries only checked contact points. Contact-point statuses (SMS
//! opt-in, email subscription) are never sent here; opt-outs have their own
//! rule.

use canvass_core::Person;
use canvass_core::normalize::{clean_name, zip5};
use canvass_van::client::{MatchCombination, match_combination};
use canvass_van::models;
use serde::{Deserialize, Serialize};

/// Which combination a findOrCreate body carries, strongest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Combination {
    /// First + last + email.
    NameEmail,
    /// First + last + phone.
    NamePhone,
    /// First + last + ZIP5 + date of birth.
    NameZipDob,
    /// First + last + street number and name + ZIP5.
    NameStreetZip,
    /// Email alone.
    Email,
}

impl Combination {
    fn of(c: MatchCombination) -> Combination {
        match c {
            MatchCombination::NameEmail => Combination::NameEmail,
            MatchCombination::NamePhone => Combination::NamePhone,
            MatchCombination::NameZipDob => Combination::NameZipDob,
            MatchCombination::NameStreetZip => Combination::NameStreetZip,
            MatchCombination::Email => Combination::Email,
        }
    }

    /// The combination's name (`"name_email"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Combination::NameEmail => "name_email",
            Combination::NamePhone => "name_phone",
            Combination::NameZipDob => "name_zip_dob",
            Combination::NameStreetZip => "name_street_zip",
            Combination::Email => "email",
        }
    }
}

/// The findOrCreate body for one source record using exactly `combination`.
fn body_for(p: &Person, combination: Combination) -> Option<models::Person> {
    let first = p.given_name.as_deref().and_then(clean_name);
    let last = p.family_name.as_deref().and_then(clean_name);
    let email = p.primary_email().map(|e| models::EmailAddress {
        email: e.address.clone(),
        ..Default::default()
    });
    let phone = p.primary_phone().map(|ph| models::PhoneNumber {
        phone_number: ph.number.trim_start_matches("+1").to_string(),
        ..Default::default()
    });
    let zip_of =
        |a: &canvass_core::PostalAddress| a.postal_code.as_deref().and_then(|z| zip5(z).ok());
    let address = |with_street: bool| {
        p.addresses.iter().find_map(|a| {
            let zip = zip_of(a)?;
            let line = a.lines.first().map(|l| l.trim().to_string());
            if with_street && line.as_deref().is_none_or(str::is_empty) {
                return None;
            }
            Some(models::Address {
                address_line1: if with_street { line } else { None },
                zip_or_postal_code: Some(zip),
                ..Default::default()
            })
        })
    };
    let named = |mut body: models::Person| {
        body.first_name = first.clone();
        body.last_name = last.clone();
        body
    };
    let body = match combination {
        Combination::NameEmail => named(models::Person {
            emails: Some(vec![email?]),
            ..Default::default()
        }),
        Combination::NamePhone => named(models::Person {
            phones: Some(vec![phone?]),
            ..Default::default()
        }),
        Combination::NameZipDob => named(models::Person {
            date_of_birth: Some(p.birth_date?.format("%Y-%m-%d").to_string()),
            addresses: Some(vec![address(false)?]),
            ..Default::default()
        }),
        Combination::NameStreetZip => named(models::Person {
            addresses: Some(vec![address(true)?]),
            ..Default::default()
        }),
        Combination::Email => models::Person {
            emails: Some(vec![email?]),
            ..Default::default()
        },
    };
    // VAN's own check decides: the body must carry exactly this combination.
    match match_combination(&body) {
        Ok(c) if Combination::of(c) == combination => Some(body),
        _ => None,
    }
}

/// The findOrCreate body for a person known through `records` (the source
/// records of one canonical person, in a stable order): the strongest
/// combination any one record carries, from the first record carrying it.
///
/// # Errors
/// VAN's explanation of what the person lacks (from
/// [`match_combination`]) when no record carries any combination.
///
/// ```
/// use canvass_core::{Email, Person, SourceRef};
/// use canvass_vansync::person::{Combination, find_or_create_body};
/// let mut p = Person { source: SourceRef::new("mobilize", "1"), ..Person::default() };
/// p.given_name = Some("Ana".into());
/// p.family_name = Some("Díaz".into());
/// p.emails.push(Email::parse("ana@example.org"));
/// let (combination, body) = find_or_create_body(&[p]).unwrap();
/// assert_eq!(combination, Combination::NameEmail);
/// assert_eq!(body.emails.unwrap()[0].email, "ana@example.org");
/// ```
pub fn find_or_create_body(records: &[Person]) -> Result<(Combination, models::Person), String> {
    for combination in [
        Combination::NameEmail,
        Combination::NamePhone,
        Combination::NameZipDob,
        Combination::NameStreetZip,
        Combination::Email,
    ] {
        if let Some(body) = records.iter().find_map(|p| body_for(p, combination)) {
            return Ok((combination, body));
        }
    }
    let everything = records
        .first()
        .map(canvass_van::mapping::person_to_van)
        .unwrap_or_default();
    Err(match match_combination(&everything) {
        Err(e) => e.to_string(),
        Ok(_) => "no single source record carries a valid VAN match combination".to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use canvass_core::{Email, Phone, PhoneKind, PostalAddress, SourceRef};
    use proptest::prelude::*;

    fn named(id: &str) -> Person {
        Person {
            source: SourceRef::new("t", id),
            given_name: Some("Ana".into()),
            family_name: Some("Díaz".into()),
            ..Person::default()
        }
    }

    #[test]
    fn email_beats_phone_even_from_a_later_record() {
        let mut a = named("1");
        a.phones
            .push(Phone::parse("404-555-0100", PhoneKind::Mobile));
        let mut b = named("2");
        b.emails.push(Email::parse("ana@example.org"));
        let (c, body) = find_or_create_body(&[a, b]).expect("matchable");
        assert_eq!(c, Combination::NameEmail);
        assert!(
            body.phones.is_none(),
            "only the strongest combination is sent"
        );
    }

    #[test]
    fn phone_is_sent_as_ten_digits() {
        let mut a = named("1");
        a.phones
            .push(Phone::parse("(404) 555-0100", PhoneKind::Mobile));
        let (c, body) = find_or_create_body(&[a]).expect("matchable");
        assert_eq!(c, Combination::NamePhone);
        assert_eq!(body.phones.expect("phones")[0].phone_number, "4045550100");
    }

    #[test]
    fn street_and_zip_need_a_street_number() {
        let mut a = named("1");
        a.addresses.push(PostalAddress {
            lines: vec!["Main St".into()],
            postal_code: Some("30306".into()),
            ..PostalAddress::default()
        });
        assert!(find_or_create_body(std::slice::from_ref(&a)).is_err());
        a.addresses[0].lines = vec!["12 Main St".into()];
        assert_eq!(
            find_or_create_body(&[a]).expect("matchable").0,
            Combination::NameStreetZip
        );
    }

    #[test]
    fn a_name_alone_is_reported_with_what_is_missing() {
        let err = find_or_create_body(&[named("1")]).expect_err("unmatchable");
        assert!(err.contains("missing"), "{err}");
    }

    #[test]
    fn invalid_contact_points_make_no_combination() {
        let mut a = named("1");
        a.emails.push(Email::parse("not-an-email"));
        a.phones.push(Phone::parse("555-0143", PhoneKind::Mobile));
        assert!(find_or_create_body(&[a]).is_err());
    }

    proptest! {
        #[test]
        fn whatever_is_sent_passes_vans_own_check(
            first in proptest::option::of("[A-Za-z]{0,6}"),
            last in proptest::option::of("[A-Za-z]{0,6}"),
            email in proptest::option::of("[a-z]{1,5}@[a-z]{1,5}\\.org"),
            phone in proptest::option::of("[2-9][0-9]{2}[2-9][0-9]{6}"),
            zip in proptest::option::of("[0-9]{5}"),
            street in proptest::option::of("[0-9]{1,4} [A-Z][a-z]{2,6} St"),
        ) {
            let mut p = Person { source: SourceRef::new("t", "1"), ..Person::default() };
            p.given_name = first;
            p.family_name = last;
            if let Some(e) = email { p.emails.push(Email::parse(&e)); }
            if let Some(ph) = phone { p.phones.push(Phone::parse(&ph, PhoneKind::Unknown)); }
            if zip.is_some() || street.is_some() {
                p.addresses.push(PostalAddress {
                    lines: street.into_iter().collect(),
                    postal_code: zip,
                    ..PostalAddress::default()
                });
            }
            if let Ok((c, body)) = find_or_create_body(&[p]) {
                let checked = match_combination(&body).map(Combination::of);
                prop_assert_eq!(checked.ok(), Some(c));
                prop_assert!(body.phones.iter().flatten().all(|ph| ph.sms_opt_in_status.is_none()));
            }
        }
    }
}
