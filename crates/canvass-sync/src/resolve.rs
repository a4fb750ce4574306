//! Identity resolution over the warehouse: reads every stored person,
//! clusters them ([`crate::identity`]), resolves each canonical person's
//! per-channel status, and replaces the identity tables in one transaction.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use canvass_core::normalize::email_match_form;
use canvass_core::{Channel, EntityKind, Record, SourceRef, SubscriptionStatus};
use chrono::{DateTime, Utc};
use futures::StreamExt;

use crate::error::SyncResult;
use crate::identity::{IdentityConfig, PersonKeys, Resolver};
use crate::report::IdentitySummary;
use crate::warehouse::{
    CanonicalPersonRow, ChannelStatus, IdentityLink, IdentityTables, Warehouse,
};

/// One observation of a person's status on a channel.
#[derive(Debug, Clone)]
struct Observation {
    record: u32,
    channel: Channel,
    status: SubscriptionStatus,
    at: Option<DateTime<Utc>>,
    reason: Option<String>,
    source: SourceRef,
}

/// Which observation wins: the most recent; at equal times an opt-out.
/// An undated opt-out beats everything (it can't be shown to be older), an
/// undated subscription loses to anything dated: an opt-out is never lost
/// to a status of unknown age.
fn precedence(o: &Observation) -> (u8, Option<DateTime<Utc>>, bool) {
    let out = o.status.is_opted_out();
    match (o.at, out) {
        (None, true) => (2, None, true),
        (Some(t), _) => (1, Some(t), out),
        (None, false) => (0, None, false),
    }
}

/// The summary fields of one source person.
#[derive(Debug, Clone, Default)]
struct Summary {
    given: Option<String>,
    family: Option<String>,
    email: Option<String>,
    phone: Option<String>,
}

/// Resolves identities over everything in the warehouse and stores the result.
///
/// # Errors
/// When the warehouse cannot be read or written.
pub async fn resolve_identities(
    warehouse: &Arc<dyn Warehouse>,
    config: IdentityConfig,
) -> SyncResult<IdentitySummary> {
    // Opt-outs first (usually few): by person, or by identifier to match later.
    let mut opt_outs = Vec::new();
    let mut by_identifier: HashSet<String> = HashSet::new();
    let mut stream = warehouse.records(EntityKind::OptOuts);
    while let Some(item) = stream.next().await {
        if let Record::OptOut(o) = item?.record {
            if o.person.is_none() {
                by_identifier.insert(identifier_form(&o.channel, &o.identifier));
            }
            opt_outs.push(o);
        }
    }

    let previous: HashMap<SourceRef, String> = warehouse
        .identity_links()
        .await?
        .into_iter()
        .map(|l| (l.source, l.canonical_id))
        .collect();

    let mut resolver = Resolver::new(config);
    let mut summaries: Vec<Summary> = Vec::new();
    let mut observations: Vec<Observation> = Vec::new();
    let mut index_of: HashMap<SourceRef, u32> = HashMap::new();
    let mut holders: HashMap<String, Vec<u32>> = HashMap::new();
    let mut people = warehouse.records(EntityKind::People);
    while let Some(item) = people.next().await {
        let Record::Person(p) = item?.record else {
            continue;
        };
        let record = resolver.len() as u32;
        for e in p.emails.iter().filter(|e| e.valid) {
            if e.status != SubscriptionStatus::Unknown {
                observations.push(Observation {
                    record,
                    channel: Channel::Email,
                    status: e.status.clone(),
                    at: p.modified_at,
                    reason: None,
                    source: p.source.clone(),
                });
            }
            if !by_identifier.is_empty() {
                let form = identifier_form(&Channel::Email, &e.address);
                if by_identifier.contains(&form) {
                    holders.entry(form).or_default().push(record);
                }
            }
        }
        for ph in p.phones.iter().filter(|ph| ph.valid) {
            if ph.sms_status != SubscriptionStatus::Unknown {
                observations.push(Observation {
                    record,
                    channel: Channel::Sms,
                    status: ph.sms_status.clone(),
                    at: p.modified_at,
                    reason: None,
                    source: p.source.clone(),
                });
            }
            if !by_identifier.is_empty() {
                let form = identifier_form(&Channel::Sms, &ph.number);
                if by_identifier.contains(&form) {
                    holders.entry(form).or_default().push(record);
                }
            }
        }
        summaries.push(Summary {
            given: p.given_name.clone(),
            family: p.family_name.clone(),
            email: p.primary_email().map(|e| e.address.clone()),
            phone: p.primary_phone().map(|ph| ph.number.clone()),
        });
        index_of.insert(p.source.clone(), record);
        resolver.add_keys(PersonKeys::of(&p));
    }

    for o in &opt_outs {
        let records: Vec<u32> = match &o.person {
            Some(person) => index_of.get(person).copied().into_iter().collect(),
            None => holders
                .get(&identifier_form(&o.channel, &o.identifier))
                .cloned()
                .unwrap_or_default(),
        };
        for record in records {
            observations.push(Observation {
                record,
                channel: o.channel.clone(),
                status: SubscriptionStatus::Unsubscribed,
                at: o.opted_out_at,
                reason: Some(o.reason.as_str().to_string()),
                source: o.source.clone(),
            });
        }
    }
    drop(index_of);

    let source_people = resolver.len() as u64;
    let resolution = resolver.resolve(&previous);
    drop(previous);

    // Canonical rows: fields from the cluster's records in source order.
    let mut members: HashMap<&str, Vec<u32>> = HashMap::new();
    for (r, a) in resolution.assignments.iter().enumerate() {
        members
            .entry(a.canonical_id.as_str())
            .or_default()
            .push(r as u32);
    }
    let mut people_rows: Vec<CanonicalPersonRow> = members
        .iter()
        .map(|(id, recs)| {
            let mut recs = recs.clone();
            recs.sort_by(|a, b| {
                resolution.assignments[*a as usize]
                    .source
                    .cmp(&resolution.assignments[*b as usize].source)
            });
            let pick = |f: &dyn Fn(&Summary) -> Option<String>| {
                recs.iter().find_map(|r| f(&summaries[*r as usize]))
            };
            CanonicalPersonRow {
                canonical_id: (*id).to_string(),
                given_name: pick(&|s| s.given.clone()),
                family_name: pick(&|s| s.family.clone()),
                email: pick(&|s| s.email.clone()),
                phone: pick(&|s| s.phone.clone()),
                source_count: recs.len() as u64,
            }
        })
        .collect();
    people_rows.sort_by(|a, b| a.canonical_id.cmp(&b.canonical_id));
    drop(members);

    let mut best: HashMap<(String, Channel), Observation> = HashMap::new();
    for o in observations {
        let id = resolution.assignments[o.record as usize]
            .canonical_id
            .clone();
        match best.get(&(id.clone(), o.channel.clone())) {
            Some(current)
                if (precedence(current), &current.source) >= (precedence(&o), &o.source) => {}
            _ => {
                best.insert((id, o.channel.clone()), o);
            }
        }
    }
    let mut statuses: Vec<ChannelStatus> = best
        .into_iter()
        .map(|((canonical_id, channel), o)| ChannelStatus {
            canonical_id,
            channel,
            status: o.status,
            as_of: o.at,
            reason: o.reason,
            source: o.source,
        })
        .collect();
    statuses.sort_by(|a, b| {
        (&a.canonical_id, a.channel.as_str()).cmp(&(&b.canonical_id, b.channel.as_str()))
    });

    let summary = IdentitySummary {
        source_people,
        canonical_people: resolution.canonical_count as u64,
        shared_keys_ignored: resolution.shared_keys_ignored as u64,
        birth_date_conflicts: resolution.birth_date_conflicts as u64,
        reassigned: resolution.reassigned as u64,
        probabilistic_links: resolution.probabilistic_links as u64,
        candidate_pairs: resolution.candidate_pairs as u64,
    };
    let links = resolution
        .assignments
        .into_iter()
        .map(|a| IdentityLink {
            source: a.source,
            canonical_id: a.canonical_id,
            rule: a.link.as_ref().map(|l| l.rule.clone()),
            match_key: a.link.as_ref().map(|l| l.key.clone()),
            score: a.link.as_ref().and_then(|l| l.score),
            linked_to: a.link.map(|l| l.with),
        })
        .collect();
    warehouse
        .replace_identities(&IdentityTables {
            links,
            people: people_rows,
            statuses,
        })
        .await?;
    Ok(summary)
}

fn identifier_form(channel: &Channel, identifier: &str) -> String {
    match channel {
        Channel::Email => {
            email_match_form(identifier).unwrap_or_else(|| identifier.trim().to_lowercase())
        }
        _ => canvass_core::normalize::normalize_phone(identifier)
            .unwrap_or_else(|_| identifier.trim().to_string()),
    }
}
