//! Seed data: the campaign's directory, members from a [`Population`],
//! subscription events, and messages.

use canvass_core::normalize::normalize_phone;
use canvass_testkit::generate::Population;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};

use super::{CAMPAIGN_ID, State};

const GROUPS: [(i64, &str); 3] = [(1, "Volunteers"), (2, "Spanish speakers"), (3, "Donors")];
const BROADCASTS: [(i64, &str); 3] = [
    (11, "Early vote kickoff"),
    (12, "Polling place reminder"),
    (13, "Volunteer ask"),
];

fn ts(seconds: i64) -> String {
    chrono::DateTime::from_timestamp(seconds, 0)
        .map(|t| t.format("%Y-%m-%dT%H:%M:%S%.6f+00:00").to_string())
        .unwrap_or_default()
}

fn base() -> i64 {
    chrono::DateTime::parse_from_rfc3339("2024-09-01T12:00:00Z")
        .map(|t| t.timestamp())
        .unwrap_or(0)
}

pub(crate) fn seed_directory(state: &mut State) {
    // Columns as Strive documents them (Parsons' `strive.py` docstrings,
    // taken from developers.strivemessaging.org): each table's, no other.
    state.push(
        "campaigns",
        json!({
            "id": CAMPAIGN_ID, "primary_text_in_number": "+12028675309", "is_active": true,
            "custom_fields": [{"field": "precinct", "label": "Precinct"}], "organization_id": 1,
            "name": "Sim Texting Campaign", "updated_at": ts(base())
        }),
    );
    for (id, name) in GROUPS {
        state.push(
            "groups",
            json!({
                "id": id, "name": name, "campaign_id": CAMPAIGN_ID, "created_at": ts(base()),
                "updated_at": ts(base()), "keyword": null, "synonyms": null, "flow_id": null,
                "groupable_type": null, "groupable_id": null
            }),
        );
    }
    for (id, name) in BROADCASTS {
        let sent = ts(base() + id * 86_400);
        state.push(
            "broadcasts",
            json!({
                "id": id, "user_id": 1, "campaign_id": CAMPAIGN_ID, "flow_id": null, "name": name,
                "message": name, "attachment": null, "recipient_count": 0, "scheduled_at": sent,
                "cancelled_at": null, "sent_at": sent, "created_at": ts(base()), "updated_at": sent
            }),
        );
    }
    state.push("custom_fields", json!({
        "id": 1, "campaign_id": CAMPAIGN_ID, "field": "precinct", "label": "Precinct", "type": "text", "updated_at": ts(base())
    }));
}

pub(crate) fn seed_member(state: &mut State, population: &Population, human: usize) -> i64 {
    let h = &population.humans[human];
    let m = population.messy(human, "strive");
    let mut rng = StdRng::seed_from_u64((human as u64).wrapping_mul(0x9E37_79B9) ^ 0x5354_5256);
    state.next_member += 1;
    let id = state.next_member;
    // Strive keeps numbers as imported; a member needs one, so a human
    // without a phone here is entered with their mobile, digits only.
    let phone = m
        .phone
        .clone()
        .unwrap_or_else(|| h.mobile.trim_start_matches("+1").to_string());
    let landline = normalize_phone(&phone)
        .ok()
        .is_some_and(|p| h.landline.as_deref() == Some(p.as_str()));
    let carrier = if m.phone_invalid {
        Value::Null
    } else if landline {
        json!("AT&T Wireline")
    } else {
        json!(["Verizon Wireless", "T-Mobile USA", "AT&T Wireless"][human % 3])
    };
    let unsubscribed = rng.random_bool(0.1);
    let mut groups = Vec::new();
    for (gid, name) in GROUPS {
        if rng.random_bool(0.12) {
            groups.push(json!({"id": gid, "name": name}));
        }
    }
    // Imports land in batches: seven members share each updated_at.
    let updated = ts(base() + 3_600 + (id / 7) * 60);
    let member = json!({
        "id": id,
        "campaign_id": CAMPAIGN_ID,
        "phone_number": phone,
        "first_name": m.given_name,
        "last_name": m.family_name,
        "city": m.city,
        "state": m.state,
        "postal_code": m.zip,
        "email": m.email,
        "notes": null,
        "additional_notes": null,
        "opt_in": !unsubscribed,
        "custom": {"precinct": format!("{}-{:03}", m.state, human % 200)},
        "created_at": ts(base() + id * 60),
        "updated_at": updated,
        "group": groups,
        "carrier": carrier,
        "first_sub_id": null,
    });
    state.humans.insert(id, human);
    state.push("members", member);
    state.next_event += 1;
    let sub = state.next_event;
    state.push(
        "subscription_events",
        json!({
            "id": sub, "member_id": id, "type": "import", "created_at": ts(base() + id * 60),
            "ref_id": 7, "supplemental": null, "unsubscribe": false, "campaign_id": CAMPAIGN_ID
        }),
    );
    if let Some(row) = state.table("members").last_mut() {
        row["first_sub_id"] = json!(sub);
    }
    if unsubscribed {
        let (kind, supplemental) = match rng.random_range(0..4) {
            0 => (json!("keyword"), json!("STOP")),
            1 => (json!("manual"), json!("wrong number")),
            2 => (json!("carrier"), json!("30007 message filtered")),
            _ => (Value::Null, Value::Null),
        };
        state.next_event += 1;
        let eid = state.next_event;
        state.push("subscription_events", json!({
            "id": eid, "member_id": id, "type": kind, "created_at": ts(base() + 7 * 86_400 + id * 60),
            "ref_id": null, "supplemental": supplemental, "unsubscribe": true, "campaign_id": CAMPAIGN_ID
        }));
    }
    id
}

const OUTGOING: &[&str] = &[
    "Hi {name}! Early voting starts Monday. Reply YES if you have a plan to vote.",
    "{name}, your polling place is open 7am-8pm. Find it: https://example.org/vote",
    "Can you join a phone bank this Thursday, {name}? Reply YES or NO.",
];
const INCOMING: &[&str] = &[
    "YES",
    "no thanks",
    "STOP",
    "who is this",
    "wrong number",
    "Voted already!",
];

pub(crate) fn seed_messages(state: &mut State, seed: u64, count: usize) {
    let members: Vec<(i64, String, String)> = state
        .rows("members")
        .iter()
        .filter_map(|m| {
            let raw = m["phone_number"].as_str().unwrap_or_default();
            // Carriers hand over E.164.
            let from = normalize_phone(raw).unwrap_or_else(|_| raw.to_string());
            Some((
                m["id"].as_i64()?,
                from,
                m["first_name"]
                    .as_str()
                    .unwrap_or("there")
                    .trim()
                    .to_string(),
            ))
        })
        .collect();
    if members.is_empty() {
        return;
    }
    let mut rng = StdRng::seed_from_u64(seed ^ 0x6d65_7373 ^ (state.next_outgoing as u64));
    // `response_to_id` is "the id of the broadcast the incoming message was
    // a response to" (Parsons' `get_incoming_messages`, from Strive's docs):
    // the broadcast of the last outgoing message, if it was one.
    let mut last_broadcast: Option<i64> = None;
    for i in 0..count {
        let (member, phone, name) = &members[rng.random_range(0..members.len())];
        let at = ts(base() + 86_400 + (i as i64) * 29);
        if rng.random_bool(0.7) {
            state.next_outgoing += 1;
            let id = state.next_outgoing;
            let (status, error): (&str, Value) = match rng.random_range(0..100) {
                0..=81 => ("delivered", Value::Null),
                82..=89 => ("sent", Value::Null),
                90..=93 => ("failed", json!(30006)),
                94..=96 => ("undelivered", json!(30007)),
                _ => ("queued", Value::Null),
            };
            let broadcast = (rng.random_range(0..3) > 0)
                .then(|| BROADCASTS[rng.random_range(0..BROADCASTS.len())].0);
            let text = OUTGOING[rng.random_range(0..OUTGOING.len())].replace("{name}", name);
            state.push("outgoing_messages", json!({
                "id": id, "campaign_id": CAMPAIGN_ID, "member_id": member, "message": text,
                "broadcast_id": broadcast, "p2p_id": if broadcast.is_none() { json!(100 + id % 50) } else { Value::Null },
                "flow_action_id": null, "status": status, "error_code": error,
                "sent_at": if status == "queued" { Value::Null } else { json!(at) }, "queued_at": at,
            }));
            last_broadcast = broadcast;
        } else {
            state.next_incoming += 1;
            let id = state.next_incoming;
            let body = INCOMING[rng.random_range(0..INCOMING.len())];
            let from = phone.clone();
            state.push("incoming_messages", json!({
                "id": id, "campaign_id": CAMPAIGN_ID, "member_id": member, "from_number": from,
                "to_number": "+12028675309", "message": body, "attachments": null, "sent_at": at,
                "is_opt_out": body == "STOP", "conversation_id": member, "flow_id": null,
                "response_to_id": last_broadcast, "updated_at": at,
            }));
        }
    }
}
