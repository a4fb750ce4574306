//! Normalizers for the messy contact data vendors hand over: email, phone,
//! names, US ZIP codes and money.
//!
//! Every function here is total: it returns an error for input it cannot
//! normalize and never panics (proptest holds it to that).

use std::sync::OnceLock;

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Why a value could not be normalized.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NormalizeError {
    /// Nothing left after trimming.
    #[error("empty")]
    Empty,
    /// Not a syntactically valid email address.
    #[error("not a valid email address")]
    InvalidEmail,
    /// Not a valid phone number for its region.
    #[error("not a valid phone number")]
    InvalidPhone,
    /// Not a US ZIP code.
    #[error("not a US ZIP code")]
    InvalidZip,
    /// Not an amount of money with at most two decimals.
    #[error("not an amount with at most two decimals")]
    InvalidAmount,
}

/// Trims an email and lower-cases its domain; the local part keeps its case
/// (some mail servers honour it). Use [`email_match_form`] to compare.
///
/// ```
/// use canvass_core::normalize::normalize_email;
/// assert_eq!(normalize_email("  Ana.Diaz@Example.ORG ").unwrap(), "Ana.Diaz@example.org");
/// assert!(normalize_email("ana@").is_err());
/// ```
pub fn normalize_email(raw: &str) -> Result<String, NormalizeError> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Err(NormalizeError::Empty);
    }
    let (local, domain) = trimmed
        .rsplit_once('@')
        .ok_or(NormalizeError::InvalidEmail)?;
    if local.is_empty() || !domain.contains('.') || domain.ends_with('.') {
        return Err(NormalizeError::InvalidEmail);
    }
    let normalized = format!("{local}@{}", domain.to_lowercase());
    if email_address::EmailAddress::is_valid(&normalized) {
        Ok(normalized)
    } else {
        Err(NormalizeError::InvalidEmail)
    }
}

/// The form used to match emails across systems: normalized and fully lower-cased.
///
/// ```
/// use canvass_core::normalize::email_match_form;
/// assert_eq!(email_match_form(" Ana@Example.org").as_deref(), Some("ana@example.org"));
/// ```
pub fn email_match_form(raw: &str) -> Option<String> {
    normalize_email(raw).ok().map(|e| e.to_lowercase())
}

fn phone_metadata_warm() {
    // The first parse loads the phone metadata (~100 ms); do it once, here,
    // so the cost is not charged to whichever record happens to come first.
    static WARM: OnceLock<()> = OnceLock::new();
    WARM.get_or_init(|| {
        let _ = phonenumber::parse(Some(phonenumber::country::Id::US), "2025550100");
    });
}

/// Normalizes a phone number to E.164, assuming the US when no country code
/// is given. Numbers that parse but are not valid (`555-0143`) are rejected.
///
/// ```
/// use canvass_core::normalize::normalize_phone;
/// assert_eq!(normalize_phone("(414) 202-0792").unwrap(), "+14142020792");
/// assert_eq!(normalize_phone("1-414-202-0792").unwrap(), "+14142020792");
/// assert_eq!(normalize_phone("+44 20 7946 0018").unwrap(), "+442079460018");
/// assert!(normalize_phone("555-0143").is_err());
/// ```
pub fn normalize_phone(raw: &str) -> Result<String, NormalizeError> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Err(NormalizeError::Empty);
    }
    // Bound the work on hostile input: no real number has 40 characters.
    if trimmed.len() > 40 {
        return Err(NormalizeError::InvalidPhone);
    }
    phone_metadata_warm();
    let parsed = phonenumber::parse(Some(phonenumber::country::Id::US), trimmed)
        .map_err(|_| NormalizeError::InvalidPhone)?;
    if !phonenumber::is_valid(&parsed) {
        return Err(NormalizeError::InvalidPhone);
    }
    Ok(parsed.format().mode(phonenumber::Mode::E164).to_string())
}

/// Trims a name and collapses inner whitespace, keeping case and accents
/// (for display). Returns `None` when nothing is left.
///
/// ```
/// use canvass_core::normalize::clean_name;
/// assert_eq!(clean_name("  José   María ").as_deref(), Some("José María"));
/// assert_eq!(clean_name("   "), None);
/// ```
pub fn clean_name(raw: &str) -> Option<String> {
    let joined = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    (!joined.is_empty()).then_some(joined)
}

/// The form used to match names: accents stripped, lower-cased, only letters
/// and digits kept (`"O'Brien-Núñez"` → `"obriennunez"`).
///
/// ```
/// use canvass_core::normalize::fold_name;
/// assert_eq!(fold_name("  José "), "jose");
/// assert_eq!(fold_name("O'Brien"), fold_name("OBRIEN"));
/// ```
pub fn fold_name(raw: &str) -> String {
    raw.nfkd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .filter(|c| c.is_alphanumeric())
        .collect()
}

/// The five-digit US ZIP code in `raw` (`"60622-4455"` → `"60622"`). A
/// four-digit code is taken as a ZIP that lost its leading zero in a
/// spreadsheet (`"2144"` → `"02144"`).
///
/// ```
/// use canvass_core::normalize::zip5;
/// assert_eq!(zip5("60622-4455").unwrap(), "60622");
/// assert_eq!(zip5("2144").unwrap(), "02144");
/// assert!(zip5("SW1A 1AA").is_err());
/// ```
pub fn zip5(raw: &str) -> Result<String, NormalizeError> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Err(NormalizeError::Empty);
    }
    let head = trimmed.split(['-', ' ']).next().unwrap_or_default();
    let all_digits = !head.is_empty() && head.chars().all(|c| c.is_ascii_digit());
    match (all_digits, head.len()) {
        (true, 5) => Ok(head.to_string()),
        (true, 4) => Ok(format!("0{head}")),
        (true, 9) => Ok(head[..5].to_string()),
        _ => Err(NormalizeError::InvalidZip),
    }
}

/// Parses a decimal amount (`"12.5"`, `"-3"`, `"1,250.00"`) into integer minor
/// units (`1250`), refusing more than two decimals rather than rounding money.
///
/// ```
/// use canvass_core::normalize::money_minor_units;
/// assert_eq!(money_minor_units("12.5").unwrap(), 1250);
/// assert_eq!(money_minor_units("1,000.01").unwrap(), 100001);
/// assert!(money_minor_units("1.005").is_err());
/// ```
pub fn money_minor_units(raw: &str) -> Result<i64, NormalizeError> {
    let cleaned: String = raw.trim().chars().filter(|c| *c != ',').collect();
    let (negative, digits) = match cleaned.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, cleaned.as_str()),
    };
    let (whole, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let valid_part = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if (whole.is_empty() && frac.is_empty())
        || !valid_part(whole)
        || !valid_part(frac)
        || frac.len() > 2
    {
        return Err(NormalizeError::InvalidAmount);
    }
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| NormalizeError::InvalidAmount)?
    };
    let frac: i64 = format!("{frac:0<2}")
        .parse()
        .map_err(|_| NormalizeError::InvalidAmount)?;
    let minor = whole
        .checked_mul(100)
        .and_then(|w| w.checked_add(frac))
        .ok_or(NormalizeError::InvalidAmount)?;
    Ok(if negative { -minor } else { minor })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn phone_formats_agree() {
        for raw in [
            "4142020792",
            "(414) 202-0792",
            "414.202.0792",
            "+1 414 202 0792",
            "1-414-202-0792",
            " 414 202 0792 ",
        ] {
            assert_eq!(normalize_phone(raw).as_deref(), Ok("+14142020792"), "{raw}");
        }
    }

    #[test]
    fn invalid_phones_are_rejected() {
        for raw in ["", "555-0143", "12", "not a phone", "000-000-0000"] {
            assert!(normalize_phone(raw).is_err(), "{raw}");
        }
    }

    #[test]
    fn emails() {
        assert_eq!(normalize_email("A@B.CO").as_deref(), Ok("A@b.co"));
        for raw in ["", "a", "a@b", "@b.co", "a b@c.co", "a@b."] {
            assert!(normalize_email(raw).is_err(), "{raw}");
        }
    }

    #[test]
    fn names_fold_accents_case_and_punctuation() {
        assert_eq!(fold_name("Núñez"), "nunez");
        assert_eq!(fold_name("D'Angelo"), "dangelo");
        assert_eq!(fold_name("Mary-Jane"), fold_name("mary jane"));
    }

    proptest! {
        #[test]
        fn email_never_panics_and_is_idempotent(s in "\\PC{0,40}") {
            if let Ok(e) = normalize_email(&s) {
                prop_assert_eq!(normalize_email(&e), Ok(e.clone()));
                prop_assert_eq!(e.trim(), e.as_str());
            }
        }

        #[test]
        fn generated_emails_normalize(local in "[a-zA-Z0-9._%+-]{1,20}", domain in "[a-zA-Z0-9-]{1,20}", tld in "[a-zA-Z]{2,6}", pad in " {0,3}") {
            prop_assume!(!local.starts_with('.') && !local.ends_with('.') && !local.contains(".."));
            prop_assume!(!domain.starts_with('-') && !domain.ends_with('-'));
            let raw = format!("{pad}{local}@{domain}.{tld}{pad}");
            let e = normalize_email(&raw);
            prop_assert!(e.is_ok(), "{raw}");
            let e = e.unwrap_or_default();
            prop_assert_eq!(e.rsplit_once('@').map(|(_, d)| d.to_string()), Some(format!("{domain}.{tld}").to_lowercase()));
        }

        #[test]
        fn phone_never_panics_and_is_e164(s in "\\PC{0,30}") {
            if let Ok(p) = normalize_phone(&s) {
                prop_assert!(p.starts_with('+'));
                prop_assert!(p[1..].chars().all(|c| c.is_ascii_digit()));
                prop_assert!((8..=16).contains(&p.len()), "{p}");
                prop_assert_eq!(normalize_phone(&p), Ok(p.clone()));
            }
        }

        #[test]
        fn us_numbers_in_any_format_normalize(area in 2u32..10, rest in 0u32..100, exch in 2u32..10, line in 0u32..10000, sep in "[ .-]?") {
            let area = format!("{area}{rest:02}");
            let exch = format!("{exch}{:02}", (rest * 7) % 100);
            let raw = format!("({area}){sep}{exch}{sep}{line:04}");
            if let Ok(p) = normalize_phone(&raw) {
                prop_assert_eq!(p, format!("+1{area}{exch}{line:04}"));
            }
        }

        #[test]
        fn fold_name_is_idempotent(s in "\\PC{0,30}") {
            let once = fold_name(&s);
            prop_assert_eq!(fold_name(&once), once.clone());
            prop_assert!(once.chars().all(|c| c.is_alphanumeric()));
        }

        #[test]
        fn zip5_never_panics_and_is_five_digits(s in "\\PC{0,12}") {
            if let Ok(z) = zip5(&s) {
                prop_assert_eq!(z.len(), 5);
                prop_assert!(z.chars().all(|c| c.is_ascii_digit()));
                prop_assert_eq!(zip5(&z), Ok(z.clone()));
            }
        }

        #[test]
        fn money_round_trips(cents in -10_000_000_000i64..10_000_000_000) {
            let text = format!("{}{}.{:02}", if cents < 0 { "-" } else { "" }, cents.abs() / 100, cents.abs() % 100);
            prop_assert_eq!(money_minor_units(&text), Ok(cents));
        }

        #[test]
        fn money_never_panics(s in "\\PC{0,24}") {
            let _ = money_minor_units(&s);
        }
    }
}
