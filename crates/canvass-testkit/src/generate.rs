//! Seeded generators of realistic, messy people with ground truth.
//!
//! A [`Population`] is a set of real humans. Each vendor simulator shows a
//! subset of them through [`Population::messy`], which formats the same human
//! the way that tool's users typed them: names in odd case or without
//! accents, emails with capitals and stray spaces, phones in every format,
//! some invalid phones, family members sharing a landline, and a junk email
//! (`test@test.com`) several people typed. Tests check identity resolution
//! against [`Human::id`], the ground truth.

use chrono::NaiveDate;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const GIVEN: &[&str] = &[
    "José",
    "María",
    "Zoë",
    "Siobhán",
    "François",
    "Renée",
    "Łukasz",
    "Ana",
    "Aaliyah",
    "DeShawn",
    "Mei",
    "Nguyễn",
    "Fatima",
    "Chloé",
    "Jamal",
    "Keisha",
    "Luis",
    "Sofía",
    "Olu",
    "Priya",
    "Björn",
    "Mary-Jane",
    "Jean-Luc",
    "Tomás",
    "Inés",
    "Darnell",
    "Esperanza",
    "Hana",
    "Kwame",
    "Noor",
    "Ricardo",
    "Yesenia",
    "Tanisha",
    "Marcus",
    "Lucía",
    "Andrés",
    "Gabriela",
    "Xavier",
    "Imani",
    "Connor",
];

const FAMILY: &[&str] = &[
    "Núñez",
    "O'Brien",
    "D'Angelo",
    "Müller",
    "García",
    "Smith",
    "Washington",
    "Nguyen",
    "Kim",
    "Okafor",
    "Johnson",
    "Martínez",
    "Hernández",
    "Brown",
    "Williams",
    "Patel",
    "Rodríguez",
    "Lévesque",
    "McAllister",
    "Jones",
    "Davis",
    "López",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Pérez",
    "Thompson",
    "White",
    "Harris",
    "Sánchez",
    "Clark",
    "Ramírez",
    "Lewis",
    "Robinson",
];

const STREETS: &[&str] = &[
    "Main St",
    "Oak Ave",
    "N Washtenaw Ave",
    "Grove St",
    "Peachtree Rd NE",
    "MLK Jr Blvd",
    "E 13th St",
    "Elm St",
    "Cedar Ln",
    "Maple Dr",
];

/// (area code, city, state, ZIP prefix)
const PLACES: &[(&str, &str, &str, &str)] = &[
    ("404", "Atlanta", "GA", "303"),
    ("414", "Milwaukee", "WI", "532"),
    ("312", "Chicago", "IL", "606"),
    ("617", "Boston", "MA", "021"),
    ("602", "Phoenix", "AZ", "850"),
    ("919", "Raleigh", "NC", "276"),
    ("215", "Philadelphia", "PA", "191"),
    ("702", "Las Vegas", "NV", "891"),
    ("313", "Detroit", "MI", "482"),
    ("512", "Austin", "TX", "787"),
];

const DOMAINS: &[&str] = &[
    "gmail.com",
    "yahoo.com",
    "outlook.com",
    "example.org",
    "proton.me",
];

/// The junk email several people type into forms.
pub const JUNK_EMAIL: &str = "test@test.com";

/// One real human: the ground truth behind every source's record of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Human {
    /// Ground-truth id, `0..n`.
    pub id: usize,
    /// First name, as the person spells it.
    pub given_name: String,
    /// Last name, as the person spells it.
    pub family_name: String,
    /// Personal email (lower case, valid).
    pub email: String,
    /// Mobile phone, E.164, valid.
    pub mobile: String,
    /// A landline, E.164, shared with the rest of the household when set.
    pub landline: Option<String>,
    /// Street line.
    pub street: String,
    /// City.
    pub city: String,
    /// State code.
    pub state: String,
    /// Five-digit ZIP.
    pub zip: String,
    /// Date of birth.
    pub birth_date: NaiveDate,
    /// Household id; humans in one household share a landline and address.
    pub household: usize,
}

/// How a human appears in one tool: every field as typed there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessyPerson {
    /// The human behind the record (ground truth; never sent to a connector).
    pub human: usize,
    /// First name as typed.
    pub given_name: String,
    /// Last name as typed.
    pub family_name: String,
    /// Email as typed (may be the junk email, or missing).
    pub email: Option<String>,
    /// Phone as typed (any format; may be invalid, or a shared landline).
    pub phone: Option<String>,
    /// Whether `phone` is a deliberately invalid number.
    pub phone_invalid: bool,
    /// Street line as typed.
    pub street: String,
    /// City.
    pub city: String,
    /// State.
    pub state: String,
    /// ZIP as typed (`02144`, `2144`, `60622-4455`).
    pub zip: String,
    /// Date of birth, when the tool collects it.
    pub birth_date: Option<NaiveDate>,
}

/// A seeded set of humans.
///
/// ```
/// use canvass_testkit::generate::Population;
/// let a = Population::generate(7, 50);
/// let b = Population::generate(7, 50);
/// assert_eq!(a.humans, b.humans); // same seed, same people
/// assert_eq!(a.humans.len(), 50);
/// ```
#[derive(Debug, Clone)]
pub struct Population {
    /// The humans, `humans[i].id == i`.
    pub humans: Vec<Human>,
    seed: u64,
}

fn pick<'a, T>(rng: &mut StdRng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

fn phone_in(rng: &mut StdRng, area: &str) -> String {
    // Exchange 2xx-9xx, never 555 or N11, so libphonenumber calls it valid.
    loop {
        let exchange: u32 = rng.random_range(200..1000);
        if exchange == 555 || exchange % 100 == 11 {
            continue;
        }
        let line: u32 = rng.random_range(1000..10000);
        return format!("+1{area}{exchange}{line}");
    }
}

impl Population {
    /// `n` humans from `seed`. About one in five belongs to a two-person
    /// household sharing a landline and an address.
    pub fn generate(seed: u64, n: usize) -> Population {
        let mut rng = StdRng::seed_from_u64(seed);
        let mut humans: Vec<Human> = Vec::with_capacity(n);
        let mut household = 0;
        for id in 0..n {
            let joins_previous = id > 0
                && humans[id - 1].household == household
                && rng.random_bool(0.2)
                && humans
                    .iter()
                    .rev()
                    .take_while(|h| h.household == household)
                    .count()
                    == 1;
            if !joins_previous && id > 0 {
                household += 1;
            }
            let given_name = pick(&mut rng, GIVEN).to_string();
            let (family_name, street, city, state, zip, landline, area) = if joins_previous {
                let prev = &humans[id - 1];
                let area = prev.mobile[2..5].to_string();
                let landline = match &prev.landline {
                    Some(l) => l.clone(),
                    None => phone_in(&mut rng, &area),
                };
                if let Some(p) = humans.last_mut() {
                    p.landline = Some(landline.clone());
                }
                let prev = &humans[id - 1];
                (
                    prev.family_name.clone(),
                    prev.street.clone(),
                    prev.city.clone(),
                    prev.state.clone(),
                    prev.zip.clone(),
                    Some(landline),
                    area,
                )
            } else {
                let (area, city, state, zip3) = *pick(&mut rng, PLACES);
                let street = format!("{} {}", rng.random_range(1..9999), pick(&mut rng, STREETS));
                let zip = format!("{zip3}{:02}", rng.random_range(1..99));
                (
                    pick(&mut rng, FAMILY).to_string(),
                    street,
                    city.to_string(),
                    state.to_string(),
                    zip,
                    None,
                    area.to_string(),
                )
            };
            let local = format!(
                "{}.{}{}",
                canvass_core::normalize::fold_name(&given_name),
                canvass_core::normalize::fold_name(&family_name),
                id
            );
            let email = format!("{local}@{}", pick(&mut rng, DOMAINS));
            let mobile = phone_in(&mut rng, &area);
            let birth_date = NaiveDate::from_ymd_opt(
                rng.random_range(1940..2006),
                rng.random_range(1..13),
                rng.random_range(1..29),
            )
            .unwrap_or_default();
            humans.push(Human {
                id,
                given_name,
                family_name,
                email,
                mobile,
                landline,
                street,
                city,
                state,
                zip,
                birth_date,
                household,
            });
        }
        Population { humans, seed }
    }

    /// How `human` appears in the tool named `system`: the same person,
    /// formatted the way that tool's users typed them. Deterministic for a
    /// given population, human and system.
    pub fn messy(&self, human: usize, system: &str) -> MessyPerson {
        let h = &self.humans[human % self.humans.len().max(1)];
        let salt = system
            .bytes()
            .fold(0u64, |a, b| a.wrapping_mul(31).wrapping_add(u64::from(b)));
        let mut rng = StdRng::seed_from_u64(
            self.seed ^ salt ^ (h.id as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15),
        );
        let given_name = messy_name(&mut rng, &h.given_name);
        let family_name = messy_name(&mut rng, &h.family_name);
        let email = match rng.random_range(0..100) {
            0..=2 => Some(JUNK_EMAIL.to_string()),
            3..=7 => None,
            _ => Some(messy_email(&mut rng, &h.email)),
        };
        let (phone, phone_invalid) = match rng.random_range(0..100) {
            0..=3 => (Some(format!("555-01{:02}", rng.random_range(0..100))), true),
            4..=7 => (None, false),
            8..=20 if h.landline.is_some() => (
                h.landline.as_deref().map(|l| messy_phone(&mut rng, l)),
                false,
            ),
            _ => (Some(messy_phone(&mut rng, &h.mobile)), false),
        };
        let zip = match rng.random_range(0..10) {
            0 if h.zip.starts_with('0') => h.zip[1..].to_string(),
            1 => format!("{}-{:04}", h.zip, rng.random_range(0..10000)),
            _ => h.zip.clone(),
        };
        let street = if rng.random_bool(0.3) {
            h.street.to_uppercase()
        } else {
            h.street.clone()
        };
        MessyPerson {
            human: h.id,
            given_name,
            family_name,
            email,
            phone,
            phone_invalid,
            street,
            city: h.city.clone(),
            state: h.state.clone(),
            zip,
            birth_date: rng.random_bool(0.5).then_some(h.birth_date),
        }
    }
}

/// The name in a random case, with stray spaces or accents dropped.
pub fn messy_name(rng: &mut StdRng, name: &str) -> String {
    let base = match rng.random_range(0..10) {
        0 => name.to_uppercase(),
        1 => name.to_lowercase(),
        2 => strip_accents(name),
        3 => format!(" {name} "),
        _ => name.to_string(),
    };
    if rng.random_range(0..20) == 0 {
        base.replace('\'', "")
    } else {
        base
    }
}

/// The email with capitals and stray spaces.
pub fn messy_email(rng: &mut StdRng, email: &str) -> String {
    match rng.random_range(0..6) {
        0 => email.to_uppercase(),
        1 => format!("  {email} "),
        2 => {
            let (l, d) = email.split_once('@').unwrap_or((email, ""));
            format!("{}@{}", capitalize(l), d.to_uppercase())
        }
        _ => email.to_string(),
    }
}

/// An E.164 US number in one of the formats people type.
pub fn messy_phone(rng: &mut StdRng, e164: &str) -> String {
    let d = e164.trim_start_matches("+1");
    if d.len() != 10 {
        return e164.to_string();
    }
    let (a, b, c) = (&d[..3], &d[3..6], &d[6..]);
    match rng.random_range(0..7) {
        0 => format!("({a}) {b}-{c}"),
        1 => format!("{a}.{b}.{c}"),
        2 => format!("{a}-{b}-{c}"),
        3 => format!("1{a}{b}{c}"),
        4 => format!("+1 {a} {b} {c}"),
        5 => format!("1-{a}-{b}-{c}"),
        _ => d.to_string(),
    }
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn strip_accents(s: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    s.nfkd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use canvass_core::normalize::{normalize_email, normalize_phone, zip5};

    #[test]
    fn generated_contact_points_are_valid_and_messy_ones_normalize_back() {
        let pop = Population::generate(42, 300);
        for h in &pop.humans {
            assert_eq!(
                normalize_phone(&h.mobile).as_deref(),
                Ok(h.mobile.as_str()),
                "{h:?}"
            );
            for system in ["van", "mobilize", "hustle"] {
                let m = pop.messy(h.id, system);
                if let Some(p) = &m.phone {
                    assert_eq!(normalize_phone(p).is_err(), m.phone_invalid, "{p}");
                }
                if let Some(e) = &m.email
                    && e != JUNK_EMAIL
                {
                    let norm = normalize_email(e).map(|e| e.to_lowercase());
                    assert_eq!(norm.as_deref(), Ok(h.email.as_str()));
                }
                assert_eq!(zip5(&m.zip).as_deref(), Ok(h.zip.as_str()));
            }
        }
    }

    #[test]
    fn households_share_a_landline() {
        let pop = Population::generate(1, 500);
        let shared = pop
            .humans
            .windows(2)
            .filter(|w| {
                w[0].household == w[1].household
                    && w[0].landline.is_some()
                    && w[0].landline == w[1].landline
            })
            .count();
        assert!(shared > 20, "only {shared} households");
    }
}
