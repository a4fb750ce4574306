//! Seeded generators of realistic, messy people with ground truth.
//!
//! A [`Population`] is a set of real humans. Each vendor simulator shows a
//! subset of them through [`Population::messy`], which formats the same human
//! the way that tool's users typed them: names in odd case or without
//! accents, emails with capitals and stray spaces, phones in every format,
//! some invalid phones, family members sharing a landline, and a junk email
//! (`test@test.com`) several people typed, and the variants that defeat
//! exact matching: a nickname for the first name ("Bob" for "Robert") and
//! one-letter typos in either name ("Hernadez"). Tests check identity
//! resolution against [`Human::id`], the ground truth.
//!
//! Names are drawn as often as real people hold them: 30% from a short list
//! of names with accents, apostrophes and hyphens (the hard cases for
//! normalization), the rest from the 1990 US Census frequency tables
//! (public domain; `data/census-1990/`), so "Smith" is common and "Hofmann"
//! rare, as in a real voter file.

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

/// The share of generated names drawn from the curated lists above (the
/// rest come from the census tables).
const CURATED_SHARE: f64 = 0.3;

/// Of a source's records whose human has a common nickname, the share that
/// carry it instead of the first name.
pub const NICKNAME_RATE: f64 = 0.08;

/// The share of a source's records with a one-letter typo in the first
/// name, and separately in the last name (names of four letters or more).
pub const TYPO_RATE: f64 = 0.03;

/// Common English and Spanish nicknames, written down for the generator
/// (independently of the table the resolver matches with, so a benchmark
/// does not only test names the resolver already knows).
const NICKNAMES: &[(&str, &[&str])] = &[
    ("Robert", &["Bob", "Rob", "Bobby"]),
    ("William", &["Bill", "Will", "Billy"]),
    ("James", &["Jim", "Jimmy", "Jamie"]),
    ("John", &["Jack", "Johnny"]),
    ("Richard", &["Rick", "Dick", "Rich"]),
    ("Michael", &["Mike", "Mikey"]),
    ("Thomas", &["Tom", "Tommy"]),
    ("Charles", &["Charlie", "Chuck"]),
    ("Joseph", &["Joe", "Joey"]),
    ("Christopher", &["Chris"]),
    ("Daniel", &["Dan", "Danny"]),
    ("Matthew", &["Matt"]),
    ("Anthony", &["Tony"]),
    ("Steven", &["Steve"]),
    ("Stephen", &["Steve"]),
    ("Edward", &["Ed", "Eddie", "Ted"]),
    ("Kenneth", &["Ken", "Kenny"]),
    ("Ronald", &["Ron", "Ronnie"]),
    ("Timothy", &["Tim"]),
    ("Jeffrey", &["Jeff"]),
    ("Gregory", &["Greg"]),
    ("Benjamin", &["Ben"]),
    ("Samuel", &["Sam"]),
    ("Alexander", &["Alex"]),
    ("Nicholas", &["Nick"]),
    ("Patrick", &["Pat"]),
    ("Andrew", &["Andy", "Drew"]),
    ("Jonathan", &["Jon"]),
    ("Lawrence", &["Larry"]),
    ("Raymond", &["Ray"]),
    ("Gerald", &["Jerry"]),
    ("Douglas", &["Doug"]),
    ("Donald", &["Don"]),
    ("David", &["Dave"]),
    ("Peter", &["Pete"]),
    ("Elizabeth", &["Liz", "Beth", "Betty"]),
    ("Margaret", &["Peggy", "Maggie", "Meg"]),
    ("Katherine", &["Kate", "Kathy", "Katie"]),
    ("Catherine", &["Cathy", "Kate"]),
    ("Jennifer", &["Jen", "Jenny"]),
    ("Patricia", &["Pat", "Patty", "Trish"]),
    ("Susan", &["Sue", "Susie"]),
    ("Deborah", &["Debbie", "Deb"]),
    ("Rebecca", &["Becky"]),
    ("Barbara", &["Barb"]),
    ("Dorothy", &["Dot", "Dottie"]),
    ("Jessica", &["Jess"]),
    ("Kimberly", &["Kim"]),
    ("Christine", &["Chris", "Tina"]),
    ("Pamela", &["Pam"]),
    ("Cynthia", &["Cindy"]),
    ("Victoria", &["Vicky", "Tori"]),
    ("Abigail", &["Abby"]),
    ("Theresa", &["Terry", "Tess"]),
    ("Judith", &["Judy"]),
    ("Virginia", &["Ginny"]),
    ("José", &["Pepe"]),
    ("Francisco", &["Paco", "Pancho"]),
    ("Guadalupe", &["Lupe"]),
    ("Jesus", &["Chuy"]),
    ("Ignacio", &["Nacho"]),
    ("Eduardo", &["Lalo"]),
    ("Alberto", &["Beto"]),
    ("Ricardo", &["Rick"]),
    ("Tomás", &["Tom"]),
    ("Gabriela", &["Gabi"]),
    ("Xavier", &["Xavi"]),
];

/// A name table with each name's share, for draws by frequency.
struct Frequencies {
    names: Vec<&'static str>,
    cumulative: Vec<f64>,
}

impl Frequencies {
    /// Parses `name,percent` lines.
    fn parse(csv: &'static str) -> Frequencies {
        let mut total = 0.0;
        let (names, cumulative) = csv
            .lines()
            .filter_map(|line| {
                let (name, share) = line.split_once(',')?;
                total += share.trim().parse::<f64>().ok()?;
                Some((name.trim(), total))
            })
            .unzip();
        Frequencies { names, cumulative }
    }

    fn draw(&self, rng: &mut StdRng) -> &'static str {
        let total = self.cumulative.last().copied().unwrap_or(0.0);
        let x = rng.random_range(0.0..total.max(f64::MIN_POSITIVE));
        let i = self.cumulative.partition_point(|&c| c <= x);
        self.names
            .get(i.min(self.names.len().saturating_sub(1)))
            .copied()
            .unwrap_or("Doe")
    }
}

struct Census {
    family: Frequencies,
    male: Frequencies,
    female: Frequencies,
}

fn census() -> &'static Census {
    static CENSUS: std::sync::OnceLock<Census> = std::sync::OnceLock::new();
    CENSUS.get_or_init(|| Census {
        family: Frequencies::parse(include_str!("../data/census-1990/family.csv")),
        male: Frequencies::parse(include_str!("../data/census-1990/given-male.csv")),
        female: Frequencies::parse(include_str!("../data/census-1990/given-female.csv")),
    })
}

/// The nicknames people use for `given_name` (empty when it has none in the
/// generator's table).
pub fn nicknames_of(given_name: &str) -> &'static [&'static str] {
    NICKNAMES
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(given_name))
        .map_or(&[], |(_, nicks)| nicks)
}

/// The keys next to each lower-case letter on a QWERTY keyboard.
fn neighbours(c: char) -> &'static str {
    match c {
        'q' => "wa",
        'w' => "qes",
        'e' => "wrd",
        'r' => "etf",
        't' => "ryg",
        'y' => "tuh",
        'u' => "yij",
        'i' => "uok",
        'o' => "ipl",
        'p' => "ol",
        'a' => "qsz",
        's' => "adw",
        'd' => "sfe",
        'f' => "dgr",
        'g' => "fht",
        'h' => "gjy",
        'j' => "hku",
        'k' => "jli",
        'l' => "ko",
        'z' => "xa",
        'x' => "zcs",
        'c' => "xvd",
        'v' => "cbf",
        'b' => "vng",
        'n' => "bmh",
        'm' => "nj",
        _ => "",
    }
}

/// `name` with one typing slip: a neighbouring key struck instead, a letter
/// dropped, a letter doubled, or two letters swapped. The first letter is
/// kept (people rarely miss it). Names shorter than four letters are kept
/// as they are.
pub fn typo(rng: &mut StdRng, name: &str) -> String {
    let mut chars: Vec<char> = name.chars().collect();
    // Letters after the first, where a slip can land.
    let letters: Vec<usize> = (1..chars.len())
        .filter(|&i| chars[i].is_alphabetic())
        .collect();
    if letters.len() < 3 {
        return name.to_string();
    }
    let i = letters[rng.random_range(0..letters.len())];
    let near: Vec<char> = neighbours(chars[i].to_ascii_lowercase()).chars().collect();
    let swap_with = [i + 1, i - 1]
        .into_iter()
        .find(|&j| j >= 1 && chars.get(j).is_some_and(|c| c.is_alphabetic()));
    match (rng.random_range(0..4), swap_with) {
        (0, _) if !near.is_empty() => {
            let c = near[rng.random_range(0..near.len())];
            chars[i] = if chars[i].is_uppercase() {
                c.to_ascii_uppercase()
            } else {
                c
            };
        }
        (2, _) => chars.insert(i, chars[i]),
        (3, Some(j)) => chars.swap(i, j),
        _ => {
            chars.remove(i);
        }
    }
    chars.into_iter().collect()
}

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
    /// Whether `given_name` is a nickname of the human's first name.
    pub nickname: bool,
    /// Whether either name carries a typing slip.
    pub typo: bool,
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
            let given_name = if rng.random_bool(CURATED_SHARE) {
                pick(&mut rng, GIVEN).to_string()
            } else if rng.random_bool(0.5) {
                census().male.draw(&mut rng).to_string()
            } else {
                census().female.draw(&mut rng).to_string()
            };
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
                let family = if rng.random_bool(CURATED_SHARE) {
                    pick(&mut rng, FAMILY)
                } else {
                    census().family.draw(&mut rng)
                };
                (
                    family.to_string(),
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
        let nicknames = nicknames_of(&h.given_name);
        let nickname = !nicknames.is_empty() && rng.random_bool(NICKNAME_RATE);
        let mut given = if nickname {
            nicknames[rng.random_range(0..nicknames.len())].to_string()
        } else {
            h.given_name.clone()
        };
        let mut family = h.family_name.clone();
        let mut typed = false;
        for name in [&mut given, &mut family] {
            if rng.random_bool(TYPO_RATE) {
                let slipped = typo(&mut rng, name.as_str());
                typed |= slipped != *name;
                *name = slipped;
            }
        }
        let given_name = messy_name(&mut rng, &given);
        let family_name = messy_name(&mut rng, &family);
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
            nickname,
            typo: typed,
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

    /// Edit distance counting an adjacent swap as one edit.
    fn slips(a: &str, b: &str) -> usize {
        let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
        let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
        for (i, row) in d.iter_mut().enumerate() {
            row[0] = i;
        }
        for (j, cell) in d[0].iter_mut().enumerate() {
            *cell = j;
        }
        for i in 1..=a.len() {
            for j in 1..=b.len() {
                let cost = usize::from(a[i - 1] != b[j - 1]);
                d[i][j] = (d[i - 1][j] + 1)
                    .min(d[i][j - 1] + 1)
                    .min(d[i - 1][j - 1] + cost);
                if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                    d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
                }
            }
        }
        d[a.len()][b.len()]
    }

    #[test]
    fn nicknames_and_typos_appear_at_their_rates_and_keep_the_contact_points() {
        let pop = Population::generate(9, 20_000);
        let (mut nicknamable, mut nicknamed, mut typos, mut records) = (0, 0, 0, 0);
        for h in &pop.humans {
            let m = pop.messy(h.id, "van");
            records += 1;
            let given = m.given_name.trim().to_lowercase();
            let family = m.family_name.trim().to_lowercase();
            let (true_given, true_family) =
                (h.given_name.to_lowercase(), h.family_name.to_lowercase());
            if !nicknames_of(&h.given_name).is_empty() {
                nicknamable += 1;
            }
            if m.nickname {
                nicknamed += 1;
                let typed_nick = nicknames_of(&h.given_name).iter().any(|n| {
                    slips(&n.to_lowercase(), &strip_accents(&given).to_lowercase()) <= 1
                        || n.eq_ignore_ascii_case(&given)
                });
                assert!(typed_nick, "{given:?} is no nickname of {}", h.given_name);
            } else {
                let folded = |s: &str| strip_accents(s).replace('\'', "").to_lowercase();
                let slipped = slips(&folded(&given), &folded(&true_given))
                    + slips(&folded(&family), &folded(&true_family));
                if m.typo {
                    // (A slip can vanish when accents are folded: Renée, Reneé.)
                    assert!(given != true_given || family != true_family, "{m:?}");
                } else {
                    assert_eq!(slipped, 0, "{m:?} for {h:?}");
                }
                assert!(slipped <= 2, "one slip per name at most: {m:?} for {h:?}");
            }
            typos += usize::from(m.typo);
            // Variants change names only: the email still normalizes back.
            if let Some(e) = m.email.as_deref().filter(|e| *e != JUNK_EMAIL) {
                assert_eq!(e.trim().to_lowercase(), h.email);
            }
        }
        let nick_share = f64::from(nicknamed) / f64::from(nicknamable);
        assert!(
            (0.06..0.10).contains(&nick_share),
            "nickname share {nick_share}"
        );
        let typo_share = typos as f64 / f64::from(records);
        // Two names at TYPO_RATE each, less the names too short to slip.
        assert!(
            (0.04..0.065).contains(&typo_share),
            "typo share {typo_share}"
        );
    }

    #[test]
    fn names_follow_the_census_frequencies() {
        let pop = Population::generate(3, 20_000);
        let smiths = pop
            .humans
            .iter()
            .filter(|h| h.family_name == "Smith")
            .count();
        // 30% curated (Smith is 1 of 40) + 70% census (Smith is 1.006 of 63.25).
        let expected = 20_000.0 * (0.3 / 40.0 + 0.7 * 1.006 / 63.25);
        assert!(
            (smiths as f64 - expected).abs() < expected * 0.25,
            "{smiths} Smiths, expected about {expected:.0}"
        );
        let distinct: std::collections::HashSet<&str> =
            pop.humans.iter().map(|h| h.family_name.as_str()).collect();
        assert!(distinct.len() > 2_000, "{} surnames", distinct.len());
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
