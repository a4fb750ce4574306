//! The probabilistic stage: blocking, pairwise comparison and
//! Fellegi–Sunter weights.
//!
//! 1. **Blocking.** Each record yields a few blocking keys; only records
//!    sharing one are compared. The keys are: phone; email local part;
//!    date of birth + ZIP; either name's Soundex + date of birth; both
//!    names' Soundex codes (in either field) + ZIP; house number + ZIP. A block larger than
//!    [`IdentityConfig::max_block_size`] is skipped (and counted).
//! 2. **Comparison.** Each candidate pair gets one level per field
//!    ([`FIELDS`]): exact, nickname (first names, from the public table in
//!    [`super::nicknames`], or a [`short_form`]), Jaro–Winkler similarity (≥ 0.92 "similar",
//!    ≥ 0.80 "close"), a one-character typo for dates of birth and ZIP
//!    codes, or different. A field missing on either side says nothing.
//! 3. **Weights.** The match weight of a pair is
//!    `log2(λ / (1 − λ)) + Σ log2(m / u)` over its fields' levels, where
//!    `m` is the chance of the level among true matches and `u` among
//!    non-matches. `u` is measured on random pairs of records; `m` and `λ`
//!    (the share of candidate pairs that match) are estimated by
//!    expectation–maximisation over the candidate pairs. Small inputs (fewer
//!    than [`MIN_RECORDS_TO_TRAIN`] records or candidate pairs) use the
//!    documented priors ([`Model::priors`]) instead. Exact first and last
//!    names weigh by how common the name is (a shared "maria" says less than
//!    a shared "siobhan").
//! 4. A pair links when its match probability `1 / (1 + 2^-weight)` reaches
//!    [`IdentityConfig::match_threshold`] and [`can_link`] allows its
//!    pattern (a first name that fits, an anchor beyond name and place, no
//!    two conflicting identifiers); pairs are linked strongest first.
//!    [`explain`] shows any two records' levels and whether they may link.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};

use canvass_core::Person;
use canvass_core::normalize::{email_match_form, fold_name, zip5};
use strsim::jaro_winkler;

use super::IdentityConfig;
use super::nicknames::are_nicknames;

/// The compared fields, in pattern order.
pub const FIELDS: [&str; 8] = [
    "given", "family", "dob", "zip", "city", "street", "phone", "email",
];

/// Each field's levels; level 0 is "missing on one side" (no evidence).
const LEVEL_NAMES: [&[&str]; 8] = [
    &[
        "missing",
        "exact",
        "nickname",
        "similar",
        "close",
        "different",
    ],
    &["missing", "exact", "similar", "close", "different"],
    &["missing", "exact", "typo", "different"],
    &["missing", "exact", "typo", "different"],
    &["missing", "exact", "similar", "different"],
    &["missing", "exact", "similar", "different"],
    &["missing", "exact", "different"],
    &["missing", "exact", "same_local_part", "different"],
];

/// Most levels any field has.
const MAX_LEVELS: usize = 6;

/// Below this many records (for `u`) or candidate pairs (for `m` and `λ`)
/// the model keeps its priors rather than estimate from too little data.
pub const MIN_RECORDS_TO_TRAIN: usize = 1000;

/// Random record pairs sampled to measure `u`.
const U_SAMPLE_PAIRS: u64 = 1_000_000;

/// What the probabilistic stage compares of one record, folded once.
#[derive(Debug, Clone, Default)]
pub struct Profile {
    given: Box<str>,
    family: Box<str>,
    street: Box<str>,
    /// The second address line (a unit, a building), compared with the
    /// first too: forms swap them.
    street2: Box<str>,
    city: Box<str>,
    /// Leading digits of the street line (0: none).
    house: u32,
    /// `yyyymmdd` (0: unknown).
    dob: u32,
    /// ZIP5 as a number plus one (0: none).
    zip: u32,
    /// E.164 digits (0: none).
    phone: u64,
    /// Hash of the email's match form (0: none).
    email: u64,
    /// Hash of the email's local part (0: none).
    email_local: u64,
}

fn hash64(tag: u8, parts: &[&[u8]]) -> u64 {
    #[allow(deprecated)]
    let mut h = std::hash::SipHasher::new();
    tag.hash(&mut h);
    for p in parts {
        p.hash(&mut h);
    }
    h.finish().max(1)
}

impl Profile {
    /// The first valid phone's digits (0: none).
    pub(crate) fn phone(&self) -> u64 {
        self.phone
    }

    /// Drops the email: a shared or junk address says nothing about who
    /// holds it, for or against.
    pub(crate) fn forget_email(&mut self) {
        self.email = 0;
        self.email_local = 0;
    }

    /// The profile of a person record.
    pub fn of(person: &Person) -> Profile {
        let fold = |s: Option<&str>| -> Box<str> { s.map(fold_name).unwrap_or_default().into() };
        let address = person
            .addresses
            .iter()
            .find(|a| a.postal_code.is_some() || !a.lines.is_empty() || a.locality.is_some());
        let street_line = address.and_then(|a| a.lines.first()).map(String::as_str);
        let house = street_line
            .map(|l| {
                l.trim()
                    .chars()
                    .take_while(char::is_ascii_digit)
                    .take(9)
                    .fold(0u32, |n, c| n * 10 + c.to_digit(10).unwrap_or(0))
            })
            .unwrap_or(0);
        let zip = address
            .and_then(|a| a.postal_code.as_deref())
            .and_then(|z| zip5(z).ok())
            .and_then(|z| z.parse::<u32>().ok())
            .map_or(0, |z| z + 1);
        let dob = person.birth_date.map_or(0, |d| {
            use chrono::Datelike;
            (d.year().max(0) as u32) * 10_000 + d.month() * 100 + d.day()
        });
        let phone = person
            .phones
            .iter()
            .find(|p| p.valid)
            .and_then(|p| p.number.trim_start_matches('+').parse::<u64>().ok())
            .unwrap_or(0);
        let email_form = person
            .emails
            .iter()
            .filter(|e| e.valid)
            .find_map(|e| email_match_form(&e.address));
        let (email, email_local) = match &email_form {
            Some(form) => {
                let local = form.split('@').next().unwrap_or_default();
                (
                    hash64(1, &[form.as_bytes()]),
                    if local.len() >= 3 {
                        hash64(2, &[local.as_bytes()])
                    } else {
                        0
                    },
                )
            }
            None => (0, 0),
        };
        Profile {
            given: fold(person.given_name.as_deref()),
            family: fold(person.family_name.as_deref()),
            street: fold(street_line),
            street2: fold(address.and_then(|a| a.lines.get(1)).map(String::as_str)),
            city: fold(address.and_then(|a| a.locality.as_deref())),
            house,
            dob,
            zip,
            phone,
            email,
            email_local,
        }
    }
}

/// Whether two folded first names can be one person's: equal, nicknames of
/// one name, or one typing slip apart ([`one_slip`]).
///
/// ```
/// use canvass_sync::identity::fuzzy::same_first_name;
/// assert!(same_first_name("bob", "robert"));
/// assert!(same_first_name("jennifer", "jennfier"));
/// assert!(!same_first_name("maria", "mario"));
/// assert!(!same_first_name("ana", "luis"));
/// ```
pub fn same_first_name(a: &str, b: &str) -> bool {
    a == b || nickname_of(a, b) || one_slip(a, b)
}

/// Whether two different first names are one name's nicknames: in the
/// public table ([`are_nicknames`]), or one a short form of the other
/// ([`short_form`]).
fn nickname_of(a: &str, b: &str) -> bool {
    are_nicknames(a, b) || short_form(a, b)
}

/// Whether one name is the other's first three letters or more, two or
/// more letters short of it: "tom" of "tomas", "barb" of "barbara", "chris"
/// of "christopher". Names a letter apart ("ann", "anna") are not short
/// forms: they are names of their own.
///
/// ```
/// use canvass_sync::identity::fuzzy::short_form;
/// assert!(short_form("tom", "tomas"));
/// assert!(short_form("barbara", "barb"));
/// assert!(!short_form("ann", "anna"));
/// assert!(!short_form("jo", "joseph"));
/// ```
pub fn short_form(a: &str, b: &str) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    short.len() >= 3 && long.len() >= short.len() + 2 && long.starts_with(short)
}

/// Whether `b` is `a` with one typing slip (a letter struck wrong, dropped,
/// doubled or swapped with its neighbour) that spares the last letter, in
/// names of four letters or more. The last letter is excluded because it
/// is what tells many names apart that are not slips at all: Maria and
/// Mario, Daniel and Daniela.
///
/// ```
/// use canvass_sync::identity::fuzzy::one_slip;
/// assert!(one_slip("hernandez", "hernadez"));
/// assert!(one_slip("jennifer", "jenifer"));
/// assert!(one_slip("michael", "micheal"));
/// assert!(!one_slip("roberto", "roberta"));
/// assert!(!one_slip("ana", "ava"));
/// ```
pub fn one_slip(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if short.len() < 4 || long.len() - short.len() > 1 || a == b {
        return false;
    }
    let i = short
        .iter()
        .zip(long)
        .position(|(x, y)| x != y)
        .unwrap_or(short.len());
    if short.len() == long.len() {
        let last = short.len() - 1;
        if i >= last {
            return false;
        }
        // A substitution at i, or a swap of i and i + 1 (sparing the last letter).
        short[i + 1..] == long[i + 1..]
            || (i + 1 < last
                && short[i] == long[i + 1]
                && short[i + 1] == long[i]
                && short[i + 2..] == long[i + 2..])
    } else {
        // One letter more in `long` at i; an extra last letter does not count.
        i < short.len() && short[i..] == long[i + 1..]
    }
}

/// American Soundex of a folded name, packed (0: no letters).
fn soundex(name: &str) -> u32 {
    fn code(c: u8) -> u8 {
        match c {
            b'b' | b'f' | b'p' | b'v' => 1,
            b'c' | b'g' | b'j' | b'k' | b'q' | b's' | b'x' | b'z' => 2,
            b'd' | b't' => 3,
            b'l' => 4,
            b'm' | b'n' => 5,
            b'r' => 6,
            _ => 0,
        }
    }
    let mut letters = name.bytes().filter(u8::is_ascii_lowercase);
    let Some(first) = letters.next() else {
        return 0;
    };
    let mut out = u32::from(first) << 24;
    let mut last = code(first);
    let mut n = 1;
    for c in letters {
        let d = code(c);
        if d != 0 && d != last {
            out |= u32::from(d) << (8 * (3 - n));
            n += 1;
            if n == 4 {
                break;
            }
        }
        // 'h' and 'w' do not separate equal codes; vowels do.
        if c != b'h' && c != b'w' {
            last = d;
        }
    }
    out
}

/// The blocking keys of a profile, appended to `out`.
fn block_keys(p: &Profile, out: &mut Vec<u64>) {
    let g = soundex(&p.given);
    let f = soundex(&p.family);
    let b = |x: u64| x.to_le_bytes();
    if p.phone != 0 {
        out.push(hash64(10, &[&b(p.phone)]));
    }
    if p.email_local != 0 {
        out.push(hash64(11, &[&b(p.email_local)]));
    }
    if p.dob != 0 && p.zip != 0 {
        out.push(hash64(12, &[&b(u64::from(p.dob)), &b(u64::from(p.zip))]));
    }
    // Names typed into each other's fields share these keys too: each name's
    // Soundex goes under one tag, and the pair is sorted.
    for code in [g, f] {
        if code != 0 && p.dob != 0 {
            out.push(hash64(13, &[&b(u64::from(code)), &b(u64::from(p.dob))]));
        }
    }
    if g != 0 && f != 0 && p.zip != 0 {
        out.push(hash64(
            14,
            &[
                &b(u64::from(g.min(f))),
                &b(u64::from(g.max(f))),
                &b(u64::from(p.zip)),
            ],
        ));
    }
    if p.house != 0 && p.zip != 0 {
        out.push(hash64(15, &[&b(u64::from(p.house)), &b(u64::from(p.zip))]));
    }
}

fn name_level(a: &str, b: &str, nicknames: bool) -> u8 {
    if a.is_empty() || b.is_empty() {
        return 0;
    }
    if a == b {
        return 1;
    }
    let shift = u8::from(nicknames);
    if nicknames && nickname_of(a, b) {
        return 2;
    }
    let s = jaro_winkler(a, b);
    if s >= 0.92 {
        2 + shift
    } else if s >= 0.80 {
        3 + shift
    } else {
        4 + shift
    }
}

fn text_level(a: &str, b: &str) -> u8 {
    if a.is_empty() || b.is_empty() {
        0
    } else if a == b {
        1
    } else if jaro_winkler(a, b) >= 0.88 {
        2
    } else {
        3
    }
}

/// Whether two `yyyymmdd` dates differ by one typing slip: the day or the
/// month differs, day and month are swapped, or only the year differs and
/// the slip stays within a decade or makes an implausible year (1916 →
/// 1816). Two plausible years further apart on the same day are a parent
/// and a child, not a typo.
pub(crate) fn dob_typo(a: u32, b: u32) -> bool {
    let (ya, ma, da) = (a / 10_000, a / 100 % 100, a % 100);
    let (yb, mb, db) = (b / 10_000, b / 100 % 100, b % 100);
    let plausible = |y: u32| (1900..=2030).contains(&y);
    (ya == yb && (ma == mb || da == db))
        || (ya == yb && ma == db && da == mb)
        || (ma == mb && da == db && (ya.abs_diff(yb) <= 10 || !plausible(ya) || !plausible(yb)))
}

fn zip_typo(a: u32, b: u32) -> bool {
    let (mut a, mut b) = (a - 1, b - 1);
    let mut differing = 0;
    for _ in 0..5 {
        differing += u8::from(a % 10 != b % 10);
        a /= 10;
        b /= 10;
    }
    differing == 1
}

/// The comparison pattern of two profiles: one level per field, four bits each.
pub(crate) fn compare(a: &Profile, b: &Profile) -> u32 {
    let dob = match (a.dob, b.dob) {
        (0, _) | (_, 0) => 0,
        (x, y) if x == y => 1,
        (x, y) if dob_typo(x, y) => 2,
        _ => 3,
    };
    let zip = match (a.zip, b.zip) {
        (0, _) | (_, 0) => 0,
        (x, y) if x == y => 1,
        (x, y) if zip_typo(x, y) => 2,
        _ => 3,
    };
    let phone = match (a.phone, b.phone) {
        (0, _) | (_, 0) => 0,
        (x, y) if x == y => 1,
        _ => 2,
    };
    let email = match (a.email, b.email) {
        (0, _) | (_, 0) => 0,
        (x, y) if x == y => 1,
        _ if a.email_local != 0 && a.email_local == b.email_local => 2,
        _ => 3,
    };
    // First and last names typed into each other's fields count as the
    // better of the two readings; so do swapped address lines.
    let straight = (
        name_level(&a.given, &b.given, true),
        name_level(&a.family, &b.family, false),
    );
    // Crossed: both comparisons on the surname scale, the better one read
    // as the first name's level (so the pattern is the same either way round).
    let crossed = {
        let x = name_level(&a.given, &b.family, false);
        let y = name_level(&a.family, &b.given, false);
        let (better, worse) = (x.min(y), x.max(y));
        let as_given = if better <= 1 { better } else { better + 1 };
        (as_given, worse)
    };
    let rank = |(g, f): (u8, u8)| {
        // Missing says nothing: rank it as the worst agreement.
        let g = if g == 0 { 6 } else { g };
        let f = if f == 0 { 5 } else { f };
        g + f
    };
    let (given, family) = if crossed.0 != 0 && crossed.1 != 0 && rank(crossed) < rank(straight) {
        crossed
    } else {
        straight
    };
    let street = [
        text_level(&a.street, &b.street),
        text_level(&a.street, &b.street2),
        text_level(&a.street2, &b.street),
    ]
    .into_iter()
    .filter(|&l| l != 0)
    .min()
    .unwrap_or(0);
    let levels = [
        given,
        family,
        dob,
        zip,
        text_level(&a.city, &b.city),
        street,
        phone,
        email,
    ];
    levels
        .iter()
        .enumerate()
        .fold(0u32, |p, (k, &l)| p | (u32::from(l) << (4 * k)))
}

/// Whether a pattern may link at all, whatever its weight. Three rules,
/// each keeping apart records that a name, a ZIP and a city alone would
/// join (the members of one household, or namesakes in one ZIP):
///
/// - **First names.** Two first names that are neither equal, nicknames nor
///   similar (Jaro–Winkler ≥ 0.92: a typo) link only with the same date of
///   birth on both sides: "Dina" and "Tina" at one address are sisters.
/// - **An anchor.** Beyond names, ZIP and city, the two agree on something
///   a namesake would not share: the street, the phone, the email (or its
///   local part), or the date of birth (exactly or but for a typing slip).
/// - **No two conflicts.** They do not disagree on two of email, phone and
///   date of birth: one of them can be a new phone, a work address or a
///   typo; two are another person.
pub fn can_link(pattern: u32) -> bool {
    let given = level(pattern, 0);
    let dob = level(pattern, 2);
    let names_fit = given < GIVEN_CLOSE || dob == 1;
    let anchored = matches!(level(pattern, 5), 1 | 2)
        || level(pattern, 6) == 1
        || matches!(level(pattern, 7), 1 | 2)
        || matches!(dob, 1 | 2);
    let conflicts = usize::from(level(pattern, 7) == 3)
        + usize::from(level(pattern, 6) == 2)
        + usize::from(dob == DOB_DIFFERENT);
    names_fit && anchored && conflicts < 2
}

/// The date-of-birth level "different".
const DOB_DIFFERENT: usize = 3;

/// The first-name level "close" (Jaro–Winkler 0.80–0.92); "different" is 5.
const GIVEN_CLOSE: usize = 4;

fn level(pattern: u32, field: usize) -> usize {
    ((pattern >> (4 * field)) & 0xF) as usize
}

/// A pattern in words: `given=nickname family=exact dob=exact ...`
/// (fields missing on either side are left out).
pub fn describe(pattern: u32) -> String {
    let mut out = Vec::new();
    for (k, field) in FIELDS.iter().enumerate() {
        let l = level(pattern, k);
        if l != 0 {
            let name = LEVEL_NAMES[k].get(l).copied().unwrap_or("?");
            out.push(format!("{field}={name}"));
        }
    }
    out.join(" ")
}

/// The comparison levels of two person records in words, as a link's key
/// shows them, and whether the stage's rules let such a pair link at all
/// ([`can_link`]): a way to ask why two records were, or were not, joined.
///
/// ```
/// use canvass_core::{Person, SourceRef};
/// use canvass_sync::identity::fuzzy::explain;
/// let person = |given: &str| Person {
///     source: SourceRef::new("van", given),
///     given_name: Some(given.into()),
///     family_name: Some("Okafor".into()),
///     birth_date: chrono::NaiveDate::from_ymd_opt(1971, 3, 9),
///     ..Person::default()
/// };
/// let (levels, may_link) = explain(&person("Robert"), &person("Bob"));
/// assert_eq!(levels, "given=nickname family=exact dob=exact");
/// assert!(may_link);
/// ```
pub fn explain(a: &Person, b: &Person) -> (String, bool) {
    let pattern = compare(&Profile::of(a), &Profile::of(b));
    (describe(pattern), can_link(pattern))
}

/// How the model's parameters were obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Training {
    /// The documented priors (too little data to estimate).
    Priors,
    /// `u` from random pairs, `m` and `λ` by EM (with its iteration count).
    Estimated {
        /// EM iterations run.
        iterations: u32,
    },
}

/// Fellegi–Sunter parameters: per field and level, `m` (chance among
/// matches) and `u` (among non-matches), and `λ`, the share of candidate
/// pairs that match.
#[derive(Debug, Clone)]
pub struct Model {
    m: [[f64; MAX_LEVELS]; 8],
    u: [[f64; MAX_LEVELS]; 8],
    lambda: f64,
    training: Training,
}

impl Model {
    /// The documented priors, used for small inputs:
    ///
    /// | field | levels (exact, …, different) | m | u |
    /// |---|---|---|---|
    /// | given | exact, nickname, similar, close, different | .80 .05 .07 .04 .04 | .01 .002 .005 .02 .963 |
    /// | family | exact, similar, close, different | .85 .07 .04 .04 | .005 .005 .02 .97 |
    /// | dob | exact, typo, different | .90 .07 .03 | .0001 .003 .9969 |
    /// | zip | exact, typo, different | .90 .04 .06 | .02 .03 .95 |
    /// | city | exact, similar, different | .90 .05 .05 | .05 .02 .93 |
    /// | street | exact, similar, different | .85 .08 .07 | .001 .002 .997 |
    /// | phone | exact, different | .80 .20 | .0001 .9999 |
    /// | email | exact, same local part, different | .70 .10 .20 | .00001 .0001 .99989 |
    ///
    /// and `λ` = 0.1.
    pub fn priors() -> Model {
        let row = |v: &[f64]| {
            let mut r = [0.0; MAX_LEVELS];
            for (i, x) in v.iter().enumerate() {
                r[i + 1] = *x;
            }
            r
        };
        Model {
            m: [
                row(&[0.80, 0.05, 0.07, 0.04, 0.04]),
                row(&[0.85, 0.07, 0.04, 0.04]),
                row(&[0.90, 0.07, 0.03]),
                row(&[0.90, 0.04, 0.06]),
                row(&[0.90, 0.05, 0.05]),
                row(&[0.85, 0.08, 0.07]),
                row(&[0.80, 0.20]),
                row(&[0.70, 0.10, 0.20]),
            ],
            u: [
                row(&[0.01, 0.002, 0.005, 0.02, 0.963]),
                row(&[0.005, 0.005, 0.02, 0.97]),
                row(&[0.0001, 0.003, 0.9969]),
                row(&[0.02, 0.03, 0.95]),
                row(&[0.05, 0.02, 0.93]),
                row(&[0.001, 0.002, 0.997]),
                row(&[0.0001, 0.9999]),
                row(&[0.00001, 0.0001, 0.99989]),
            ],
            lambda: 0.1,
            training: Training::Priors,
        }
    }

    /// How the parameters were obtained.
    pub fn training(&self) -> Training {
        self.training
    }

    /// The match weight of a pattern (log2 of the posterior odds).
    fn weight(&self, pattern: u32) -> f64 {
        let mut w = (self.lambda / (1.0 - self.lambda)).log2();
        for k in 0..FIELDS.len() {
            let l = level(pattern, k);
            if l != 0 {
                w += (self.m[k][l] / self.u[k][l]).log2();
            }
        }
        w
    }

    /// `u` from the level frequencies of random pairs (each level seen at
    /// least once, so no weight is infinite).
    // m, u and the counts are parallel tables indexed by field and level.
    #[allow(clippy::needless_range_loop)]
    fn set_u(&mut self, counts: &[[u64; MAX_LEVELS]; 8]) {
        for k in 0..FIELDS.len() {
            let levels = LEVEL_NAMES[k].len();
            let total: f64 = (1..levels).map(|l| counts[k][l].max(1) as f64).sum();
            if total <= 0.0 {
                continue;
            }
            for l in 1..levels {
                self.u[k][l] = counts[k][l].max(1) as f64 / total;
            }
        }
    }

    /// EM over the candidate patterns with `u` fixed: returns the iterations run.
    // m, u and the counts are parallel tables indexed by field and level.
    #[allow(clippy::needless_range_loop)]
    fn fit_m(&mut self, patterns: &HashMap<u32, u64>) -> u32 {
        let mut iterations = 0;
        for _ in 0..100 {
            iterations += 1;
            let mut m_num = [[0.0f64; MAX_LEVELS]; 8];
            let mut matched = 0.0;
            let mut total = 0.0;
            for (&p, &count) in patterns {
                let post = if can_link(p) {
                    1.0 / (1.0 + (-self.weight(p)).exp2())
                } else {
                    0.0
                };
                let c = count as f64;
                matched += c * post;
                total += c;
                for (k, row) in m_num.iter_mut().enumerate() {
                    row[level(p, k)] += c * post;
                }
            }
            if total <= 0.0 || matched <= 0.0 {
                break;
            }
            let mut change: f64 = 0.0;
            for (k, row) in m_num.iter().enumerate() {
                let levels = LEVEL_NAMES[k].len();
                let known: f64 = row[1..levels].iter().sum();
                if known <= 0.0 {
                    continue;
                }
                for l in 1..levels {
                    let m = (row[l] / known).clamp(1e-6, 1.0);
                    change = change.max((m - self.m[k][l]).abs());
                    self.m[k][l] = m;
                }
            }
            let lambda = (matched / total).clamp(1e-6, 1.0 - 1e-6);
            change = change.max((lambda - self.lambda).abs());
            self.lambda = lambda;
            if change < 1e-6 {
                break;
            }
        }
        iterations
    }
}

/// A candidate pair that reached the threshold.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Scored {
    pub a: u32,
    pub b: u32,
    pub pattern: u32,
    pub probability: f64,
}

/// What the stage found.
#[derive(Debug)]
pub(crate) struct Outcome {
    /// Pairs at or above the threshold, strongest first.
    pub links: Vec<Scored>,
    /// Distinct candidate pairs compared.
    pub candidate_pairs: usize,
    /// Blocks larger than the cap, skipped.
    pub blocks_skipped: usize,
    /// The model used.
    pub model: Model,
    /// Term-frequency tables of exact first and last names (empty when the
    /// input is too small to measure them).
    tf: NameFrequencies,
}

impl Outcome {
    /// Whether a link with this pattern must not join clusters whose dates
    /// of birth clearly differ. A pair that compared its own dates of birth
    /// under a model estimated from the data was weighed with them (the
    /// data say how often true matches disagree); a pair without them on
    /// both sides, or scored by the priors, cannot overrule them.
    pub fn refuses_birth_date_conflict(&self, pattern: u32) -> bool {
        self.model.training == Training::Priors || level(pattern, 2) == 0
    }

    /// The match probability of any two records (for explaining links made
    /// by a shared key too).
    pub fn probability(&self, profiles: &[Profile], a: u32, b: u32) -> (u32, f64) {
        let (pa, pb) = (&profiles[a as usize], &profiles[b as usize]);
        let pattern = compare(pa, pb);
        let w = self.model.weight(pattern) + self.tf.adjustment(&self.model, pattern, pa);
        (pattern, 1.0 / (1.0 + (-w).exp2()))
    }
}

/// How often each exact first and last name occurs.
#[derive(Debug, Default)]
struct NameFrequencies {
    given: HashMap<Box<str>, u32>,
    family: HashMap<Box<str>, u32>,
    records: f64,
}

impl NameFrequencies {
    fn of(profiles: &[Profile]) -> NameFrequencies {
        if profiles.len() < MIN_RECORDS_TO_TRAIN {
            return NameFrequencies::default();
        }
        let mut f = NameFrequencies {
            records: profiles.len() as f64,
            ..NameFrequencies::default()
        };
        for p in profiles {
            if !p.given.is_empty() {
                *f.given.entry(p.given.clone()).or_default() += 1;
            }
            if !p.family.is_empty() {
                *f.family.entry(p.family.clone()).or_default() += 1;
            }
        }
        f
    }

    /// The weight correction for exact names: `log2(u_exact / u_name)`,
    /// where `u_name` is the name's own frequency.
    fn adjustment(&self, model: &Model, pattern: u32, p: &Profile) -> f64 {
        if self.records == 0.0 {
            return 0.0;
        }
        let mut adj = 0.0;
        for (k, table, value) in [(0, &self.given, &p.given), (1, &self.family, &p.family)] {
            if level(pattern, k) == 1 {
                let freq = table.get(value).copied().unwrap_or(1).max(1) as f64 / self.records;
                adj += (model.u[k][1] / freq).log2();
            }
        }
        adj
    }
}

/// Runs blocking, training and scoring over `profiles`.
pub(crate) fn run(profiles: &[Profile], config: &IdentityConfig) -> Outcome {
    let n = profiles.len();
    let threads = std::thread::available_parallelism()
        .map_or(1, |t| t.get())
        .max(1);

    // Blocking.
    let mut keyed: Vec<(u64, u32)> = Vec::with_capacity(n * 5);
    let mut keys = Vec::new();
    for (r, p) in profiles.iter().enumerate() {
        keys.clear();
        block_keys(p, &mut keys);
        keyed.extend(keys.iter().map(|&k| (k, r as u32)));
    }
    keyed.sort_unstable();
    keyed.dedup();
    let mut pairs: Vec<u64> = Vec::new();
    let mut blocks_skipped = 0;
    let mut i = 0;
    while i < keyed.len() {
        let mut j = i + 1;
        while j < keyed.len() && keyed[j].0 == keyed[i].0 {
            j += 1;
        }
        let size = j - i;
        if size > config.max_block_size {
            blocks_skipped += 1;
        } else {
            for x in i..j {
                for y in x + 1..j {
                    let (a, b) = (keyed[x].1, keyed[y].1);
                    pairs.push((u64::from(a.min(b)) << 32) | u64::from(a.max(b)));
                }
            }
        }
        i = j;
    }
    drop(keyed);
    pairs.sort_unstable();
    pairs.dedup();

    // Comparison, on every core.
    let chunk = pairs.len().div_ceil(threads).max(1);
    let patterns: Vec<u32> = std::thread::scope(|s| {
        let handles: Vec<_> = pairs
            .chunks(chunk)
            .map(|part| {
                s.spawn(move || {
                    part.iter()
                        .map(|&ab| {
                            compare(
                                &profiles[(ab >> 32) as usize],
                                &profiles[(ab & 0xFFFF_FFFF) as usize],
                            )
                        })
                        .collect::<Vec<u32>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    });

    // Training.
    let mut model = Model::priors();
    if n >= MIN_RECORDS_TO_TRAIN && pairs.len() >= MIN_RECORDS_TO_TRAIN {
        model.set_u(&random_pair_levels(profiles, threads));
        let mut counts: HashMap<u32, u64> = HashMap::new();
        for &p in &patterns {
            *counts.entry(p).or_default() += 1;
        }
        let iterations = model.fit_m(&counts);
        model.training = Training::Estimated { iterations };
    }
    tracing::debug!(
        candidate_pairs = pairs.len(),
        blocks_skipped,
        ?model,
        "probabilistic identity model"
    );
    let tf = NameFrequencies::of(profiles);

    // Scoring.
    let mut weight_of: HashMap<u32, f64> = HashMap::new();
    let mut links: Vec<Scored> = Vec::new();
    let min_weight = {
        let t = config.match_threshold.clamp(1e-9, 1.0 - 1e-12);
        (t / (1.0 - t)).log2()
    };
    for (&ab, &pattern) in pairs.iter().zip(&patterns) {
        let (a, b) = ((ab >> 32) as u32, (ab & 0xFFFF_FFFF) as u32);
        let base = *weight_of
            .entry(pattern)
            .or_insert_with(|| model.weight(pattern));
        // Under the priors, nothing says how often true matches disagree on
        // their date of birth: a clear disagreement keeps them apart.
        if !can_link(pattern)
            || (model.training == Training::Priors && level(pattern, 2) == DOB_DIFFERENT)
        {
            continue;
        }
        let w = base + tf.adjustment(&model, pattern, &profiles[a as usize]);
        if w >= min_weight {
            links.push(Scored {
                a,
                b,
                pattern,
                probability: 1.0 / (1.0 + (-w).exp2()),
            });
        }
    }
    links.sort_by(|x, y| {
        y.probability
            .total_cmp(&x.probability)
            .then(x.a.cmp(&y.a))
            .then(x.b.cmp(&y.b))
    });
    Outcome {
        links,
        candidate_pairs: pairs.len(),
        blocks_skipped,
        model,
        tf,
    }
}

/// Level counts per field over deterministic random pairs of records.
fn random_pair_levels(profiles: &[Profile], threads: usize) -> [[u64; MAX_LEVELS]; 8] {
    let n = profiles.len() as u64;
    let samples = U_SAMPLE_PAIRS.min(n * (n - 1) / 2);
    let per = samples.div_ceil(threads as u64).max(1);
    let parts: Vec<[[u64; MAX_LEVELS]; 8]> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads as u64)
            .map(|t| {
                s.spawn(move || {
                    let mut counts = [[0u64; MAX_LEVELS]; 8];
                    let start = t * per;
                    let end = ((t + 1) * per).min(samples);
                    for i in start..end {
                        let r = splitmix(i ^ 0x5EED);
                        let a = r % n;
                        let b = (a + 1 + (r >> 32) % (n - 1)) % n;
                        let p = compare(&profiles[a as usize], &profiles[b as usize]);
                        for (k, row) in counts.iter_mut().enumerate() {
                            row[level(p, k)] += 1;
                        }
                    }
                    counts
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or([[0; MAX_LEVELS]; 8]))
            .collect()
    });
    let mut total = [[0u64; MAX_LEVELS]; 8];
    for part in parts {
        for (k, row) in part.iter().enumerate() {
            for (l, c) in row.iter().enumerate() {
                total[k][l] += c;
            }
        }
    }
    total
}

fn splitmix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn soundex_matches_the_classic_examples() {
        let s = |n: &str| {
            let v = soundex(n);
            let mut out = String::new();
            out.push(char::from((v >> 24) as u8));
            for i in (0..3).rev() {
                out.push(char::from(b'0' + ((v >> (8 * i)) & 0xFF) as u8));
            }
            out
        };
        assert_eq!(s("robert"), "r163");
        assert_eq!(s("rupert"), "r163");
        assert_eq!(s("ashcraft"), "a261");
        assert_eq!(s("tymczak"), "t522");
        assert_eq!(s("pfister"), "p236");
        assert_eq!(s("lee"), "l000");
        assert_eq!(soundex(""), 0);
    }

    #[test]
    fn typos_in_dates_and_zips() {
        assert!(dob_typo(19560409, 19560410));
        assert!(dob_typo(19560409, 19560904));
        assert!(dob_typo(19560409, 19650409));
        assert!(dob_typo(19160409, 18160409));
        assert!(!dob_typo(19600102, 19900102));
        assert!(!dob_typo(19560409, 19611122));
        assert!(zip_typo(60623, 60633));
        assert!(!zip_typo(60623, 60632 + 10));
    }

    #[test]
    fn patterns_read_back_in_words() {
        let mut a = Profile {
            given: "bob".into(),
            family: "hernandez".into(),
            dob: 19800102,
            ..Profile::default()
        };
        let mut b = a.clone();
        b.given = "robert".into();
        b.family = "hernadez".into();
        assert_eq!(
            describe(compare(&a, &b)),
            "given=nickname family=similar dob=exact"
        );
        a.dob = 0;
        assert_eq!(describe(compare(&a, &b)), "given=nickname family=similar");
    }

    proptest! {
        #[test]
        fn comparison_is_symmetric(g1 in "[a-z]{0,8}", g2 in "[a-z]{0,8}", f1 in "[a-z]{0,8}", f2 in "[a-z]{0,8}",
                                   d1 in 0u32..3, d2 in 0u32..3, z1 in 0u32..3, z2 in 0u32..3) {
            let p = |g: &str, f: &str, d: u32, z: u32| Profile {
                given: g.into(), family: f.into(),
                dob: if d == 0 { 0 } else { 19700101 + d },
                zip: if z == 0 { 0 } else { 60600 + z },
                ..Profile::default()
            };
            let (a, b) = (p(&g1, &f1, d1, z1), p(&g2, &f2, d2, z2));
            prop_assert_eq!(compare(&a, &b), compare(&b, &a));
            // A profile agrees with itself on every field it has.
            let same = compare(&a, &a);
            for k in 0..FIELDS.len() {
                prop_assert!(level(same, k) <= 1);
            }
        }

        #[test]
        fn em_keeps_probabilities(counts in proptest::collection::vec((0u32..0x0FFF_FFFF, 1u64..50), 1..40)) {
            let mut model = Model::priors();
            let patterns: HashMap<u32, u64> = counts.into_iter()
                .map(|(p, c)| {
                    // Keep every field's level within its range.
                    let p = (0..FIELDS.len()).fold(0u32, |acc, k| {
                        let l = (p >> (3 * k)) as usize % LEVEL_NAMES[k].len();
                        acc | ((l as u32) << (4 * k))
                    });
                    (p, c)
                })
                .collect();
            model.fit_m(&patterns);
            prop_assert!(model.lambda > 0.0 && model.lambda < 1.0);
            for (k, names) in LEVEL_NAMES.iter().enumerate() {
                for l in 1..names.len() {
                    prop_assert!(model.m[k][l] > 0.0 && model.m[k][l] <= 1.0);
                    prop_assert!(model.weight(0).is_finite());
                }
            }
        }
    }
}
