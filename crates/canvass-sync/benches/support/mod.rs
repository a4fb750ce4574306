//! Shared by the benchmarks: peak memory, and people from the testkit's
//! population spread over three sources with overlap.
#![allow(dead_code)]

use canvass_core::{Email, Person, Phone, PhoneKind, PostalAddress, SourceRef};
use canvass_testkit::generate::Population;

/// The process's peak resident memory (VmHWM), in MiB.
pub fn peak_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| {
                l.split_whitespace()
                    .nth(1)
                    .and_then(|kb| kb.parse::<f64>().ok())
            })
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

/// CPU time (user + system) the process has used so far, in seconds
/// (from `/proc/self/stat`, in clock ticks of 1/100 s).
pub fn cpu_seconds() -> f64 {
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            // Fields after the parenthesized command name; utime and stime
            // are the 14th and 15th fields of the line.
            let rest = s.rsplit_once(')')?.1;
            let fields: Vec<&str> = rest.split_whitespace().collect();
            let utime: f64 = fields.get(11)?.parse().ok()?;
            let stime: f64 = fields.get(12)?.parse().ok()?;
            Some((utime + stime) / 100.0)
        })
        .unwrap_or(0.0)
}

/// A 64-bit mix (SplitMix64), for deterministic pseudo-random choices.
pub fn splitmix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// The three sources of the identity benchmark.
pub const SYSTEMS: [&str; 3] = ["van", "actionnetwork", "mobilize"];

/// Which systems a human appears in: 70% one, 20% two, 10% all three, so
/// 30% of humans are seen by more than one source.
pub fn systems_of(human: usize) -> Vec<&'static str> {
    let r = splitmix(human as u64);
    let first = (r % 3) as usize;
    match (r >> 8) % 10 {
        0 => SYSTEMS.to_vec(),
        1 | 2 => vec![SYSTEMS[first], SYSTEMS[(first + 1) % 3]],
        _ => vec![SYSTEMS[first]],
    }
}

/// How many humans give about `records` source records (1.4 records per human).
pub fn humans_for(records: usize) -> usize {
    records * 10 / 14
}

/// The person record `system` holds for `human`, as its connector maps it.
pub fn person_of(pop: &Population, human: usize, system: &str) -> Person {
    let m = pop.messy(human, system);
    let mut p = Person {
        source: SourceRef::new(
            system,
            format!(
                "{:x}",
                splitmix(human as u64 ^ splitmix(system.len() as u64))
            ),
        ),
        given_name: Some(m.given_name),
        family_name: Some(m.family_name),
        birth_date: m.birth_date,
        ..Person::default()
    };
    if let Some(e) = &m.email {
        p.emails.push(Email::parse(e));
    }
    if let Some(ph) = &m.phone {
        p.phones.push(Phone::parse(ph, PhoneKind::Unknown));
    }
    p.addresses.push(PostalAddress {
        lines: vec![m.street],
        locality: Some(m.city),
        region: Some(m.state),
        postal_code: Some(m.zip),
        ..PostalAddress::default()
    });
    p
}
