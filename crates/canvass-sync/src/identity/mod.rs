//! Identity resolution: clustering person records from every source into
//! canonical people.
//!
//! Each person record yields match keys ([`canvass_core::identity::match_keys`]:
//! email; first + last + phone; first + last + ZIP + date of birth; first +
//! last + street + ZIP). Records sharing a key are joined (union-find), so
//! the clusters are the connected components of the "shares a key" graph.
//!
//! - **Guard against shared and junk keys.** A key held by more than
//!   [`IdentityConfig::max_records_per_key`] records, or an email key seen
//!   with more than [`IdentityConfig::max_names_per_email`] different first
//!   names (`test@test.com`, a couple's shared address), links nothing.
//!   Names that are nicknames, short forms or a typing slip of each other
//!   ("Robert", "Bob"; "Barbara", "Barb"; "Jennifer", "Jenifer") count as
//!   one name ([`fuzzy::same_first_name`]).
//!   Name-based keys carry the first name, so a family landline shared by
//!   two different first names never merges them. A name-based key never
//!   joins two clusters with different dates of birth (a parent and child
//!   of one name sharing the family landline).
//! - **Housemates of one name stay apart.** Neither a probabilistic score
//!   nor a shared name + street + ZIP joins two records that each have an
//!   email of their own, different from the other's, and different phones:
//!   a shared name and address are a household's, not one person's.
//! - **Explainable.** Every linked record remembers the key (rule and value)
//!   and the record it shares it with, strongest rule first.
//! - **Deterministic and stable.** A new cluster's id is derived from its
//!   smallest source reference; a cluster keeps the id its members had in
//!   the previous run (the id most of them held), so an unrelated record
//!   arriving never renames anyone. When clusters merge, the id held by the
//!   most members wins; when one splits, the part holding most of the old
//!   members keeps it.
//! - **Probabilistic second stage** ([`fuzzy`], on by default). Records no
//!   key joins can still link when a Fellegi–Sunter score over blocked
//!   candidate pairs (Jaro–Winkler names, nicknames and short forms,
//!   typo-tolerant dates and ZIPs) reaches
//!   [`IdentityConfig::match_threshold`] and the pair passes the stage's
//!   rules (an anchor beyond name and place, no two conflicting
//!   identifiers; [`fuzzy::can_link`]). It only adds links, strongest
//!   first, never past [`IdentityConfig::max_cluster_size`] records or
//!   between clusters born on clearly different days; such links carry the
//!   rule `probabilistic`, the compared levels as their key and the match
//!   probability as their score.
//! - **Scales.** Keys are hashed into a flat, sorted array; strings live in
//!   one arena; key computation runs on every core. A million records take
//!   a few seconds (see `benches/identity.rs`).
//!
//! ```
//! use canvass_core::{Email, Person, SourceRef};
//! use canvass_sync::identity::{IdentityConfig, Resolver};
//!
//! let person = |system: &str, id: &str, given: &str, email: &str| {
//!     let mut p = Person { source: SourceRef::new(system, id), ..Person::default() };
//!     p.given_name = Some(given.into());
//!     p.family_name = Some("Núñez".into());
//!     p.emails.push(Email::parse(email));
//!     p
//! };
//! let mut resolver = Resolver::new(IdentityConfig::default());
//! resolver.add(&person("van", "1", "Ana", "ana@example.org"));
//! resolver.add(&person("mobilize", "9", "ANA", " Ana@Example.org"));
//! resolver.add(&person("hustle", "4", "Luis", "luis@example.org"));
//! let resolution = resolver.resolve(&Default::default());
//! assert_eq!(resolution.canonical_count, 2);
//! let a = &resolution.assignments;
//! assert_eq!(a[0].canonical_id, a[1].canonical_id);
//! assert_eq!(a[1].link.as_ref().map(|l| l.key.as_str()), Some("ana@example.org"));
//! ```

pub mod fuzzy;
pub mod nicknames;

use std::collections::HashMap;
use std::hash::{Hash, Hasher};

use canvass_core::identity::{MatchKey, MatchRule, match_keys};
use canvass_core::normalize::fold_name;
use canvass_core::{Person, SourceRef};
use serde::{Deserialize, Serialize};

use crate::rows::sha256_hex;

/// Tuning of the resolver: its guards and the probabilistic stage. Read
/// from the `[identity]` table of `canvass.toml`.
///
/// ```
/// use canvass_sync::identity::IdentityConfig;
/// // In canvass.toml: [identity] probabilistic = true, match_threshold = 0.995
/// let config: IdentityConfig =
///     serde_json::from_str(r#"{"probabilistic": true, "match_threshold": 0.995}"#).unwrap();
/// assert!(config.probabilistic);
/// assert!(config.validate().is_ok());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct IdentityConfig {
    /// A key held by more records than this links nothing (junk keys).
    pub max_records_per_key: usize,
    /// An email key seen with more different first names than this links
    /// nothing (shared or junk addresses). Records without a first name do
    /// not count.
    pub max_names_per_email: usize,
    /// Whether the probabilistic stage runs after the exact keys (on by
    /// default; see `docs/benchmarks.md` for what it gains and costs).
    pub probabilistic: bool,
    /// The match probability (0–1) a candidate pair needs to link in the
    /// probabilistic stage.
    pub match_threshold: f64,
    /// A blocking key held by more records than this yields no candidate
    /// pairs (it would say little and cost a lot).
    pub max_block_size: usize,
    /// The probabilistic stage never grows a cluster past this many records.
    pub max_cluster_size: usize,
}

impl IdentityConfig {
    /// Checks the values: a threshold strictly between 0.5 and 1, and caps
    /// of at least 2 records.
    ///
    /// # Errors
    /// A message naming the key and the accepted values.
    pub fn validate(&self) -> Result<(), String> {
        if !(self.match_threshold > 0.5 && self.match_threshold < 1.0) {
            return Err(format!(
                "match_threshold = {}: expected a probability between 0.5 and 1 (exclusive), such as 0.99",
                self.match_threshold
            ));
        }
        for (key, value) in [
            ("max_records_per_key", self.max_records_per_key),
            ("max_block_size", self.max_block_size),
            ("max_cluster_size", self.max_cluster_size),
        ] {
            if value < 2 {
                return Err(format!("{key} = {value}: expected 2 or more"));
            }
        }
        if self.max_names_per_email == 0 {
            return Err("max_names_per_email = 0: expected 1 or more".into());
        }
        Ok(())
    }
}

impl Default for IdentityConfig {
    fn default() -> Self {
        IdentityConfig {
            max_records_per_key: 50,
            max_names_per_email: 1,
            probabilistic: true,
            match_threshold: 0.99,
            max_block_size: 50,
            max_cluster_size: 50,
        }
    }
}

/// Why a record is in its cluster: the key it shares with another record,
/// or (rule `probabilistic`) the fields on which the two agree.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Link {
    /// The key's rule.
    pub rule: MatchRule,
    /// The key's value; for a probabilistic link, the compared fields and
    /// their levels (`given=nickname family=exact dob=exact zip=exact`).
    pub key: String,
    /// The record it shares the key with.
    pub with: SourceRef,
    /// The two records' match probability under the probabilistic model,
    /// when that stage ran.
    pub score: Option<f64>,
}

/// One record's canonical person.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Assignment {
    /// The source record.
    pub source: SourceRef,
    /// Its canonical person id.
    pub canonical_id: String,
    /// Why it is linked (`None` for a record alone in its cluster).
    pub link: Option<Link>,
}

/// The result of [`Resolver::resolve`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Resolution {
    /// One assignment per record, in the order the records were added.
    pub assignments: Vec<Assignment>,
    /// How many canonical people.
    pub canonical_count: usize,
    /// Keys shared by several records that the guards refused to link by.
    pub shared_keys_ignored: usize,
    /// Links by a name-based key refused because the two sides have
    /// different dates of birth.
    pub birth_date_conflicts: usize,
    /// Records whose canonical id differs from the previous one given.
    pub reassigned: usize,
    /// Clusters joined by the probabilistic stage.
    pub probabilistic_links: usize,
    /// Candidate pairs the probabilistic stage compared.
    pub candidate_pairs: usize,
    /// Pairs above the threshold that the stage refused to join (the
    /// cluster size cap, or clusters born on clearly different days).
    pub probabilistic_refused: usize,
    /// Blocking keys held by more than [`IdentityConfig::max_block_size`]
    /// records, which yielded no candidate pairs.
    pub blocks_skipped: usize,
    /// Links refused because the two records have different emails of
    /// their own and different phones (probabilistic links, and links by
    /// name + street + ZIP, which a household's namesakes share).
    pub contact_conflicts: usize,
}

/// One key of one record, 24 bytes; the key text lives in the arena.
#[derive(Debug, Clone, Copy)]
struct Entry {
    hash: u64,
    record: u32,
    name: u32,
    offset: u32,
    len: u16,
    rule: u8,
}

fn rule_rank(rule: &MatchRule) -> u8 {
    match rule {
        MatchRule::Email => 0,
        MatchRule::NamePhone => 1,
        MatchRule::NameZipDob => 2,
        MatchRule::NameStreetZip => 3,
        _ => 4,
    }
}

fn rule_of(rank: u8) -> MatchRule {
    match rank {
        0 => MatchRule::Email,
        1 => MatchRule::NamePhone,
        2 => MatchRule::NameZipDob,
        _ => MatchRule::NameStreetZip,
    }
}

fn hash_of(rule: u8, value: &str) -> u64 {
    // SipHash with fixed keys: deterministic across runs of one build,
    // which is all a single resolution needs.
    #[allow(deprecated)]
    let mut h = std::hash::SipHasher::new();
    rule.hash(&mut h);
    value.hash(&mut h);
    h.finish()
}

/// The keys of one person, computed ahead of [`Resolver::add_keys`] (on any thread).
#[derive(Debug, Clone)]
pub struct PersonKeys {
    /// The record.
    pub source: SourceRef,
    /// Its folded first name, for the email guard.
    pub folded_given: Option<String>,
    /// Its match keys.
    pub keys: Vec<MatchKey>,
    /// Its date of birth, for refusing links between people born on different days.
    pub birth_date: Option<chrono::NaiveDate>,
    /// What the probabilistic stage compares.
    pub profile: fuzzy::Profile,
}

impl PersonKeys {
    /// Computes the keys of a person.
    pub fn of(person: &Person) -> PersonKeys {
        PersonKeys {
            source: person.source.clone(),
            folded_given: person
                .given_name
                .as_deref()
                .map(fold_name)
                .filter(|n| !n.is_empty()),
            keys: match_keys(person),
            birth_date: person.birth_date,
            profile: fuzzy::Profile::of(person),
        }
    }
}

/// Collects person records, then clusters them.
#[derive(Debug)]
pub struct Resolver {
    config: IdentityConfig,
    refs: Vec<SourceRef>,
    /// Date of birth per record, as `yyyymmdd` (0: unknown).
    dobs: Vec<u32>,
    entries: Vec<Entry>,
    arena: String,
    /// Per record, when the probabilistic stage runs.
    profiles: Vec<fuzzy::Profile>,
    /// Per record: the key hash of its first email (0: none), and its first
    /// valid phone's digits (0: none), for the contact-conflict guard.
    contacts: Vec<(u64, u64)>,
    /// Per record: its folded first name in `arena` (offset, length; 0: none),
    /// for telling a nickname or a typo from another person's name.
    givens: Vec<(u32, u16)>,
}

impl Resolver {
    /// An empty resolver.
    pub fn new(config: IdentityConfig) -> Resolver {
        Resolver {
            config,
            refs: Vec::new(),
            dobs: Vec::new(),
            entries: Vec::new(),
            arena: String::new(),
            profiles: Vec::new(),
            contacts: Vec::new(),
            givens: Vec::new(),
        }
    }

    /// How many records were added.
    pub fn len(&self) -> usize {
        self.refs.len()
    }

    /// Whether no record was added.
    pub fn is_empty(&self) -> bool {
        self.refs.is_empty()
    }

    /// Adds one person record.
    pub fn add(&mut self, person: &Person) {
        self.add_keys(PersonKeys::of(person));
    }

    /// Adds many person records, computing their keys on every core.
    pub fn add_all<'a>(&mut self, people: impl IntoIterator<Item = &'a Person>) {
        let people: Vec<&Person> = people.into_iter().collect();
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .max(1);
        let chunk = people.len().div_ceil(threads).max(1);
        let computed: Vec<Vec<PersonKeys>> = std::thread::scope(|s| {
            let handles: Vec<_> = people
                .chunks(chunk)
                .map(|part| {
                    s.spawn(move || part.iter().map(|p| PersonKeys::of(p)).collect::<Vec<_>>())
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_default())
                .collect()
        });
        for keys in computed.into_iter().flatten() {
            self.add_keys(keys);
        }
    }

    /// Adds a record whose keys were computed already.
    pub fn add_keys(&mut self, keys: PersonKeys) {
        let record = self.refs.len() as u32;
        let email = keys
            .keys
            .iter()
            .find(|k| k.rule == MatchRule::Email)
            .map_or(0, |k| hash_of(0, &k.value));
        self.contacts.push((email, keys.profile.phone()));
        let name = keys
            .folded_given
            .as_deref()
            .map_or(0, |n| (hash_of(255, n) as u32).max(1));
        let given = keys.folded_given.as_deref().unwrap_or_default();
        // Folded names are ASCII; an over-long one is simply not compared.
        let given = given.get(..usize::from(u16::MAX)).unwrap_or(given);
        self.givens
            .push((self.arena.len() as u32, given.len() as u16));
        self.arena.push_str(given);
        for key in keys.keys {
            let rule = rule_rank(&key.rule);
            let offset = self.arena.len() as u32;
            let len = key.value.len().min(u16::MAX as usize) as u16;
            self.arena.push_str(&key.value[..len as usize]);
            self.entries.push(Entry {
                hash: hash_of(rule, &key.value),
                record,
                name,
                offset,
                len,
                rule,
            });
        }
        use chrono::Datelike;
        self.dobs.push(keys.birth_date.map_or(0, |d| {
            (d.year().max(0) as u32) * 10_000 + d.month() * 100 + d.day()
        }));
        self.refs.push(keys.source);
        if self.config.probabilistic {
            self.profiles.push(keys.profile);
        }
    }

    /// Clusters the records. `previous` maps source records to the
    /// canonical ids they had before; clusters keep those ids where they can.
    pub fn resolve(mut self, previous: &HashMap<SourceRef, String>) -> Resolution {
        let n = self.refs.len();
        let mut uf = UnionFind::new(std::mem::take(&mut self.dobs));
        let mut birth_date_conflicts = 0;
        let mut via: Vec<Option<(u32, u32)>> = vec![None; n]; // (other record, entry index)
        self.entries
            .sort_unstable_by_key(|e| (e.rule, e.hash, e.record));
        let mut shared_keys_ignored = 0;
        let mut contact_conflicts = 0;
        // Email keys the guards found shared or junk: they say nothing
        // about a person, for or against.
        let mut shared_emails: std::collections::HashSet<u64> = std::collections::HashSet::new();
        let mut i = 0;
        let mut members: Vec<u32> = Vec::new();
        let mut names: Vec<(u32, u32)> = Vec::new(); // (name hash, record)
        while i < self.entries.len() {
            let head = self.entries[i];
            let mut j = i;
            members.clear();
            names.clear();
            while j < self.entries.len()
                && self.entries[j].hash == head.hash
                && self.entries[j].rule == head.rule
            {
                let e = self.entries[j];
                if members.last() != Some(&e.record) {
                    members.push(e.record);
                }
                if e.name != 0 {
                    names.push((e.name, e.record));
                }
                j += 1;
            }
            if members.len() > 1 {
                names.sort_unstable();
                names.dedup_by_key(|(name, _)| *name);
                let shared = members.len() > self.config.max_records_per_key
                    || (head.rule == 0
                        && names.len() > self.config.max_names_per_email
                        && self.people_named(&names) > self.config.max_names_per_email);
                if shared {
                    shared_keys_ignored += 1;
                    if head.rule == 0 {
                        shared_emails.insert(head.hash);
                    }
                } else {
                    // Email is the strongest evidence; every other key carries
                    // only names, so two people born on different days who
                    // share one (a parent and child of the same name on the
                    // family landline) stay apart.
                    let check_birth = head.rule != 0;
                    // A name and an address are a household's too: two
                    // records there with their own, different emails and
                    // different phones are two people of one name.
                    let check_contacts = head.rule == rule_rank(&MatchRule::NameStreetZip);
                    let first = members[0];
                    for &m in &members[1..] {
                        if check_contacts && self.contacts_conflict(first, m, &shared_emails) {
                            contact_conflicts += 1;
                            continue;
                        }
                        match uf.union(first, m, check_birth) {
                            Joined::Refused => birth_date_conflicts += 1,
                            Joined::Merged | Joined::Already => {
                                if via[m as usize].is_none() {
                                    via[m as usize] = Some((first, i as u32));
                                }
                                if via[first as usize].is_none() {
                                    via[first as usize] = Some((m, i as u32));
                                }
                            }
                        }
                    }
                }
            }
            i = j;
        }

        // The probabilistic stage only adds links, strongest first.
        let mut probabilistic_links = 0;
        let mut probabilistic_refused = 0;
        let mut candidate_pairs = 0;
        let mut blocks_skipped = 0;
        let mut fuzzy_via: Vec<Option<(u32, u32, f64)>> = Vec::new();
        let run_fuzzy = self.config.probabilistic && self.profiles.len() == n && n > 1;
        if run_fuzzy && !shared_emails.is_empty() {
            for (profile, (email, _)) in self.profiles.iter_mut().zip(&self.contacts) {
                if shared_emails.contains(email) {
                    profile.forget_email();
                }
            }
        }
        let outcome = run_fuzzy.then(|| fuzzy::run(&self.profiles, &self.config));
        if let Some(outcome) = &outcome {
            candidate_pairs = outcome.candidate_pairs;
            blocks_skipped = outcome.blocks_skipped;
            fuzzy_via = vec![None; n];
            for s in &outcome.links {
                if self.contacts_conflict(s.a, s.b, &shared_emails) {
                    contact_conflicts += 1;
                    continue;
                }
                let guard_dob = outcome.refuses_birth_date_conflict(s.pattern);
                match uf.union_scored(s.a, s.b, self.config.max_cluster_size, guard_dob) {
                    Joined::Refused => probabilistic_refused += 1,
                    Joined::Already => {}
                    Joined::Merged => {
                        probabilistic_links += 1;
                        for (x, y) in [(s.a, s.b), (s.b, s.a)] {
                            if via[x as usize].is_none() && fuzzy_via[x as usize].is_none() {
                                fuzzy_via[x as usize] = Some((y, s.pattern, s.probability));
                            }
                        }
                    }
                }
            }
        }

        // Clusters, in order of their first record.
        let mut cluster_of_root: HashMap<u32, usize> = HashMap::new();
        let mut cluster_of: Vec<u32> = Vec::with_capacity(n);
        let mut clusters: Vec<Vec<u32>> = Vec::new();
        for r in 0..n as u32 {
            let root = uf.find(r);
            let c = *cluster_of_root.entry(root).or_insert_with(|| {
                clusters.push(Vec::new());
                clusters.len() - 1
            });
            clusters[c].push(r);
            cluster_of.push(c as u32);
        }
        drop(cluster_of_root);
        let smallest: Vec<u32> = clusters
            .iter()
            .map(|members| {
                members
                    .iter()
                    .copied()
                    .min_by(|a, b| self.refs[*a as usize].cmp(&self.refs[*b as usize]))
                    .unwrap_or(0)
            })
            .collect();

        // Keep previous ids: each old id goes to the cluster holding most of
        // its records (ties: the cluster with the smallest reference).
        let mut ids: Vec<Option<String>> = vec![None; clusters.len()];
        let mut taken: std::collections::HashSet<String> = std::collections::HashSet::new();
        if !previous.is_empty() {
            let mut claims: HashMap<(usize, &str), usize> = HashMap::new();
            for (r, source) in self.refs.iter().enumerate() {
                if let Some(old) = previous.get(source) {
                    *claims
                        .entry((cluster_of[r] as usize, old.as_str()))
                        .or_default() += 1;
                }
            }
            let mut claims: Vec<((usize, &str), usize)> = claims.into_iter().collect();
            claims.sort_by(|((ca, ia), na), ((cb, ib), nb)| {
                nb.cmp(na)
                    .then_with(|| {
                        self.refs[smallest[*ca] as usize].cmp(&self.refs[smallest[*cb] as usize])
                    })
                    .then_with(|| ia.cmp(ib))
            });
            for ((c, old), _) in claims {
                if ids[c].is_none() && !taken.contains(old) {
                    taken.insert(old.to_string());
                    ids[c] = Some(old.to_string());
                }
            }
        }
        // Reserve every previous id, so a new cluster never takes one that
        // another record still remembers.
        let reserved: std::collections::HashSet<&str> =
            previous.values().map(String::as_str).collect();
        for (c, id) in ids.iter_mut().enumerate() {
            if id.is_some() {
                continue;
            }
            let base = canonical_id_for(&self.refs[smallest[c] as usize]);
            let mut candidate = base.clone();
            let mut k = 2;
            while taken.contains(&candidate)
                || (reserved.contains(candidate.as_str()) && !previous.is_empty())
            {
                candidate = format!("{base}-{k}");
                k += 1;
            }
            taken.insert(candidate.clone());
            *id = Some(candidate);
        }

        let mut reassigned = 0;
        let entries = &self.entries;
        let arena = &self.arena;
        let mut refs = std::mem::take(&mut self.refs);
        let key_text = |e: &Entry| {
            let start = e.offset as usize;
            arena
                .get(start..start + e.len as usize)
                .unwrap_or_default()
                .to_string()
        };
        let assignments: Vec<Assignment> = (0..n)
            .map(|r| {
                let canonical_id = ids[cluster_of[r] as usize].clone().unwrap_or_default();
                if previous
                    .get(&refs[r])
                    .is_some_and(|old| *old != canonical_id)
                {
                    reassigned += 1;
                }
                let exact = via[r].map(|(other, entry)| {
                    let e = &entries[entry as usize];
                    Link {
                        rule: rule_of(e.rule),
                        key: key_text(e),
                        with: refs[other as usize].clone(),
                        score: outcome
                            .as_ref()
                            .map(|o| o.probability(&self.profiles, r as u32, other).1),
                    }
                });
                let link = exact.or_else(|| {
                    let (other, pattern, probability) = fuzzy_via.get(r).copied().flatten()?;
                    Some(Link {
                        rule: MatchRule::Probabilistic,
                        key: fuzzy::describe(pattern),
                        with: refs[other as usize].clone(),
                        score: Some(probability),
                    })
                });
                (canonical_id, link)
            })
            .collect::<Vec<_>>()
            .into_iter()
            .enumerate()
            .map(|(r, (canonical_id, link))| Assignment {
                source: std::mem::take(&mut refs[r]),
                canonical_id,
                link,
            })
            .collect();
        Resolution {
            assignments,
            canonical_count: clusters.len(),
            shared_keys_ignored,
            birth_date_conflicts,
            reassigned,
            probabilistic_links,
            candidate_pairs,
            probabilistic_refused,
            blocks_skipped,
            contact_conflicts,
        }
    }

    /// How many people the distinct first names of `names` (one record
    /// each) belong to at least: names that are nicknames or a typing slip
    /// of each other ([`fuzzy::same_first_name`]) count as one.
    fn people_named(&self, names: &[(u32, u32)]) -> usize {
        let text = |record: u32| {
            let (offset, len) = self.givens[record as usize];
            self.arena
                .get(offset as usize..offset as usize + usize::from(len))
                .unwrap_or_default()
        };
        // Components of the "can be one person's name" graph; a handful of
        // names at most (an email key with many is refused before this).
        let mut group: Vec<usize> = (0..names.len()).collect();
        for i in 0..names.len() {
            for j in i + 1..names.len() {
                if group[i] != group[j]
                    && fuzzy::same_first_name(text(names[i].1), text(names[j].1))
                {
                    let (from, to) = (group[j], group[i]);
                    for g in group.iter_mut().filter(|g| **g == from) {
                        *g = to;
                    }
                }
            }
        }
        group.sort_unstable();
        group.dedup();
        group.len()
    }

    /// Whether two records disagree on both contact points: each has an
    /// email of its own (not a shared or junk one) and they differ, and
    /// each has a phone and they differ. A shared name and address (or
    /// landline) does not outweigh that: such pairs are housemates of one
    /// name, not one person.
    fn contacts_conflict(
        &self,
        a: u32,
        b: u32,
        shared_emails: &std::collections::HashSet<u64>,
    ) -> bool {
        let (Some(&(ea, pa)), Some(&(eb, pb))) =
            (self.contacts.get(a as usize), self.contacts.get(b as usize))
        else {
            return false;
        };
        let own = |e: u64| e != 0 && !shared_emails.contains(&e);
        own(ea) && own(eb) && ea != eb && pa != 0 && pb != 0 && pa != pb
    }
}

/// The canonical id a cluster whose smallest record is `source` gets when
/// it has no previous id: `cp-` and 16 hex digits of SHA-256 of `system:id`.
pub fn canonical_id_for(source: &SourceRef) -> String {
    let hex = sha256_hex(&format!("{}:{}", source.system, source.id));
    format!("cp-{}", &hex[..16])
}

/// What a union did.
enum Joined {
    Merged,
    Already,
    Refused,
}

/// Union-find with path halving and union by size; each root knows its
/// cluster's date of birth (0: unknown).
struct UnionFind {
    parent: Vec<u32>,
    size: Vec<u32>,
    dob: Vec<u32>,
}

impl UnionFind {
    fn new(dob: Vec<u32>) -> UnionFind {
        let n = dob.len();
        UnionFind {
            parent: (0..n as u32).collect(),
            size: vec![1; n],
            dob,
        }
    }

    fn find(&mut self, mut x: u32) -> u32 {
        while self.parent[x as usize] != x {
            let grand = self.parent[self.parent[x as usize] as usize];
            self.parent[x as usize] = grand;
            x = grand;
        }
        x
    }

    fn union(&mut self, a: u32, b: u32, check_birth: bool) -> Joined {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra == rb {
            return Joined::Already;
        }
        let (da, db) = (self.dob[ra as usize], self.dob[rb as usize]);
        if check_birth && da != 0 && db != 0 && da != db {
            return Joined::Refused;
        }
        let (big, small) = if self.size[ra as usize] >= self.size[rb as usize] {
            (ra, rb)
        } else {
            (rb, ra)
        };
        self.parent[small as usize] = big;
        self.size[big as usize] += self.size[small as usize];
        self.dob[big as usize] = if da != 0 { da } else { db };
        Joined::Merged
    }

    /// A union for the probabilistic stage: refused when the joined
    /// cluster would pass `max_size` records, or (with `guard_dob`) when
    /// the two clusters' dates of birth differ by more than a typing slip.
    fn union_scored(&mut self, a: u32, b: u32, max_size: usize, guard_dob: bool) -> Joined {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra == rb {
            return Joined::Already;
        }
        let (da, db) = (self.dob[ra as usize], self.dob[rb as usize]);
        let size = self.size[ra as usize] as usize + self.size[rb as usize] as usize;
        if size > max_size
            || (guard_dob && da != 0 && db != 0 && da != db && !fuzzy::dob_typo(da, db))
        {
            return Joined::Refused;
        }
        self.union(a, b, false)
    }
}

/// Pairwise precision and recall of a clustering against ground truth:
/// over all pairs of records, precision = pairs put together that truly
/// belong together / pairs put together; recall = the same / pairs that
/// truly belong together.
///
/// `items` are `(predicted cluster, true cluster)` per record.
pub fn pairwise_precision_recall<P: Hash + Eq + Clone, T: Hash + Eq + Clone>(
    items: impl IntoIterator<Item = (P, T)>,
) -> (f64, f64) {
    let mut both: HashMap<(P, T), u64> = HashMap::new();
    let mut pred: HashMap<P, u64> = HashMap::new();
    let mut truth: HashMap<T, u64> = HashMap::new();
    for (p, t) in items {
        *both.entry((p.clone(), t.clone())).or_default() += 1;
        *pred.entry(p).or_default() += 1;
        *truth.entry(t).or_default() += 1;
    }
    let pairs = |n: u64| n * n.saturating_sub(1) / 2;
    let tp: u64 = both.values().map(|&n| pairs(n)).sum();
    let pp: u64 = pred.values().map(|&n| pairs(n)).sum();
    let tt: u64 = truth.values().map(|&n| pairs(n)).sum();
    let precision = if pp == 0 { 1.0 } else { tp as f64 / pp as f64 };
    let recall = if tt == 0 { 1.0 } else { tp as f64 / tt as f64 };
    (precision, recall)
}
