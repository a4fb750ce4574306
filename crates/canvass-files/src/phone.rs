//! Phone numbers at file speed.
//!
//! [`Phone::parse`] validates against libphonenumber's metadata, which
//! costs tens of microseconds a number: most of a large file's load time.
//! Within the North American Numbering Plan a number's validity is decided
//! by its area code and exchange (the metadata's patterns end in free
//! digits), so [`PhoneCache`] asks once per 7-digit prefix (area code,
//! exchange and one more digit, for a margin) and answers the other numbers
//! of that prefix from memory, with exactly the result `Phone::parse`
//! gives (a property test holds it to that). Anything else (an extension,
//! another country, letters) goes to `Phone::parse` itself.

use std::cell::RefCell;
use std::collections::HashMap;

use canvass_core::{Phone, PhoneKind, SubscriptionStatus};

/// Most prefixes remembered; past it, new prefixes are validated each time.
const MAX_PREFIXES: usize = 200_000;

/// The ten digits of a plainly formatted NANP number (`(414) 202-0792`,
/// `414.202.0792`, `+1 414 202 0792`, `1-414-202-0792`), or `None`.
fn nanp_digits(raw: &str) -> Option<[u8; 10]> {
    let mut digits = [0u8; 11];
    let mut n = 0;
    let mut plus = false;
    for (i, b) in raw.trim().bytes().enumerate() {
        match b {
            b'0'..=b'9' => {
                if n == 11 {
                    return None;
                }
                digits[n] = b;
                n += 1;
            }
            b'+' if i == 0 => plus = true,
            b' ' | b'-' | b'.' | b'(' | b')' => {}
            _ => return None,
        }
    }
    let national = match (n, plus) {
        (10, false) => &digits[..10],
        (11, _) if digits[0] == b'1' => &digits[1..11],
        _ => return None,
    };
    // Area codes and exchanges start with 2–9.
    if !(b'2'..=b'9').contains(&national[0]) || !(b'2'..=b'9').contains(&national[3]) {
        return None;
    }
    let mut out = [0u8; 10];
    out.copy_from_slice(national);
    Some(out)
}

/// Remembers which NANP prefixes are valid; one per file read.
#[derive(Debug, Default)]
pub struct PhoneCache {
    valid: RefCell<HashMap<[u8; 7], bool>>,
}

impl PhoneCache {
    /// The same phone as [`Phone::parse`]`(raw, kind)`.
    ///
    /// ```
    /// use canvass_core::{Phone, PhoneKind};
    /// use canvass_files::phone::PhoneCache;
    /// let cache = PhoneCache::default();
    /// for raw in ["(414) 202-0792", "414.202.0793", "555-0143", "+44 20 7946 0018"] {
    ///     assert_eq!(cache.parse(raw, PhoneKind::Mobile), Phone::parse(raw, PhoneKind::Mobile));
    /// }
    /// ```
    pub fn parse(&self, raw: &str, kind: PhoneKind) -> Phone {
        let Some(digits) = nanp_digits(raw) else {
            return Phone::parse(raw, kind);
        };
        let mut prefix = [0u8; 7];
        prefix.copy_from_slice(&digits[..7]);
        let known = self.valid.borrow().get(&prefix).copied();
        let valid = match known {
            Some(v) => v,
            None => {
                let phone = Phone::parse(raw, kind);
                let e164 = format!("+1{}", String::from_utf8_lossy(&digits));
                // Remember only what agrees with the plain reading.
                if (!phone.valid || phone.number == e164)
                    && self.valid.borrow().len() < MAX_PREFIXES
                {
                    self.valid.borrow_mut().insert(prefix, phone.valid);
                }
                return phone;
            }
        };
        Phone {
            number: if valid {
                format!("+1{}", String::from_utf8_lossy(&digits))
            } else {
                raw.trim().to_string()
            },
            valid,
            kind,
            primary: false,
            sms_status: SubscriptionStatus::Unknown,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn the_cache_answers_exactly_as_phone_parse(
            npa in 200u32..1000, nxx in 200u32..1000, line in 0u32..10000,
            other in 0u32..10000, fmt in 0usize..4,
        ) {
            let cache = PhoneCache::default();
            let show = |l: u32| match fmt {
                0 => format!("({npa}) {nxx}-{l:04}"),
                1 => format!("{npa}.{nxx}.{l:04}"),
                2 => format!("+1 {npa} {nxx} {l:04}"),
                _ => format!("1-{npa}-{nxx}-{l:04}"),
            };
            // The first number of a prefix fills the cache; a second one
            // with the same 7-digit prefix is answered from it.
            let first = show(line);
            let second = show((line / 1000) * 1000 + other % 1000);
            prop_assert_eq!(cache.parse(&first, PhoneKind::Unknown), Phone::parse(&first, PhoneKind::Unknown));
            prop_assert_eq!(cache.parse(&second, PhoneKind::Mobile), Phone::parse(&second, PhoneKind::Mobile));
        }

        #[test]
        fn anything_else_goes_to_phone_parse(s in "\\PC{0,20}") {
            let cache = PhoneCache::default();
            prop_assert_eq!(cache.parse(&s, PhoneKind::Unknown), Phone::parse(&s, PhoneKind::Unknown));
            prop_assert_eq!(cache.parse(&s, PhoneKind::Unknown), Phone::parse(&s, PhoneKind::Unknown));
        }
    }
}
