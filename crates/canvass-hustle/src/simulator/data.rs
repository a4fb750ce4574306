//! Seed data: the directory (organization, groups, agents, tags, custom
//! fields), leads from a [`Population`], and messages.

use canvass_core::normalize::normalize_phone;
use canvass_testkit::generate::Population;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};

use super::{ORGANIZATION_ID, State};

/// The simulated groups (texting campaigns).
pub(crate) const GROUP_IDS: [&str; 2] = ["grpGotv01", "grpVol002"];
/// The opt-out tag for wrong numbers.
pub(crate) const TAG_WRONG_NUMBER: &str = "tagWrongNo";
/// The opt-out tag for STOP requests.
pub(crate) const TAG_STOP: &str = "tagStop01";
const TAG_VOLUNTEER: &str = "tagVolProspect";
const TAG_SPANISH: &str = "tagSpanish";
const AGENT_IDS: [&str; 3] = ["agtAna001", "agtBo0002", "agtCruz03"];

const CREATED: &str = "2024-03-01T15:00:00.000Z";

pub(crate) fn seed_directory(state: &mut State) {
    // Shapes as Hustle's v3 OpenAPI file gives them (`components.schemas`):
    // the required fields of each, and no field the schema does not have.
    state.organizations.push(json!({
        "id": ORGANIZATION_ID, "type": "organization", "name": "Sim Organizing Project",
        "integrations": [], "createdAt": CREATED
    }));
    for (id, name) in GROUP_IDS.iter().zip(["GOTV 2024", "Volunteer recruitment"]) {
        state.groups.push(json!({
            "id": id, "type": "group", "name": name, "organizationId": ORGANIZATION_ID,
            "description": "", "countryCode": "US", "active": true,
            "location": {"label": "Denver, CO, USA", "coordinates": {"lat": 39.7392358, "lng": -104.990251}},
            "timezone": "America/Denver", "createdAt": CREATED
        }));
    }
    for ((id, name), phone) in AGENT_IDS
        .iter()
        .zip(["Ana Ruiz", "Bo Chen", "Cruz Díaz"])
        .zip(["+13035550101", "+13035550102", "+13035550103"])
    {
        let short = name.split(' ').next().unwrap_or(name);
        state.agents.push(json!({
            "id": id, "type": "agent", "name": short, "fullName": name, "phoneNumber": phone,
            "organizationId": ORGANIZATION_ID, "groupId": GROUP_IDS[0], "createdAt": CREATED
        }));
    }
    for (id, name, vis) in [
        (TAG_VOLUNTEER, "Volunteer prospect", "LEAD_PROFILES"),
        (TAG_SPANISH, "Spanish speaker", "LEAD_PROFILES"),
        (TAG_WRONG_NUMBER, "Wrong number", "OPT_OUT"),
        (TAG_STOP, "STOP requested", "OPT_OUT"),
    ] {
        state.tags.push(json!({
            "id": id, "type": "tag", "name": name, "organizationId": ORGANIZATION_ID,
            "agentVisibility": vis, "createdAt": CREATED
        }));
    }
    state.custom_fields.push(json!({
        "id": "cfVanId01", "type": "custom_field", "name": "van_id", "organizationId": ORGANIZATION_ID,
        "agentVisible": true, "createdAt": CREATED
    }));
}

/// A deterministic generator for one human in one simulator.
fn rng_for(seed: u64, salt: u64) -> StdRng {
    StdRng::seed_from_u64(seed ^ salt.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0x4855_5354)
}

pub(crate) fn seed_lead(state: &mut State, population: &Population, human: usize) -> String {
    let h = &population.humans[human];
    let m = population.messy(human, "hustle");
    let mut rng = rng_for(human as u64, 17);
    // Hustle stores E.164 (its API refuses anything else), so valid numbers
    // arrive normalized; the few invalid ones are legacy imports kept as is.
    // A lead needs a phone: without one, the human's mobile is used.
    let (mut phone, mut phone_type) = match (&m.phone, m.phone_invalid) {
        (Some(p), true) => (p.clone(), "invalid"),
        (Some(p), false) => {
            let e164 = normalize_phone(p).unwrap_or_else(|_| h.mobile.clone());
            let kind = if h.landline.as_deref() == Some(e164.as_str()) {
                "landline"
            } else {
                "mobile"
            };
            (e164, kind)
        }
        (None, _) => (h.mobile.clone(), "mobile"),
    };
    // A lead is unique per organization and phone: a household's second
    // member on the shared landline is entered with their mobile.
    if state
        .phone_index
        .contains_key(&(ORGANIZATION_ID.to_string(), phone.clone()))
    {
        phone = h.mobile.clone();
        phone_type = "mobile";
    }
    let id = state.new_id("ld");
    let mut tags: Vec<&str> = Vec::new();
    if rng.random_bool(0.15) {
        tags.push(TAG_VOLUNTEER);
    }
    if rng.random_bool(0.08) {
        tags.push(TAG_SPANISH);
    }
    let opted_out = rng.random_bool(0.08);
    if opted_out {
        match rng.random_range(0..3) {
            0 => tags.push(TAG_WRONG_NUMBER),
            1 => tags.push(TAG_STOP),
            _ => {}
        }
    }
    let group = GROUP_IDS[human % GROUP_IDS.len()];
    let lead = json!({
        "id": id,
        "type": "lead",
        "phoneNumber": phone,
        "organizationId": ORGANIZATION_ID,
        "activeGroupIds": [group],
        "inactiveGroupIds": [],
        "customFields": {},
        "firstName": m.given_name,
        "lastName": m.family_name,
        "email": m.email,
        "postalCode": m.zip,
        "notes": "",
        "followUp": "",
        "phoneNumberType": phone_type,
        "tagIds": tags,
        "globalOptedOut": opted_out,
        "createdAt": format!("2024-03-{:02}T{:02}:{:02}:00.000Z", 1 + human % 28, human % 24, human % 60),
    });
    state.humans.insert(id.clone(), human);
    state.insert_lead(lead);
    id
}

const OUTBOUND: &[&str] = &[
    "Hi {name}, it's {agent} with the Sim Organizing Project. Can we count on your vote on Nov 5?",
    "Hey {name}! Early voting starts Monday. Do you have a plan to vote?",
    "Hi {name}, we're knocking doors Saturday. Can you join us for a shift?",
    "Thanks {name}! Here's your polling place: https://example.org/where",
];
const INBOUND: &[&str] = &[
    "Yes!",
    "Who is this?",
    "STOP",
    "Wrong number",
    "Maybe, what time?",
    "Already voted 🗳️",
];

pub(crate) fn seed_messages(state: &mut State, seed: u64, count: usize) {
    if state.leads.is_empty() {
        return;
    }
    let mut rng = rng_for(seed, 0x6d73_6773 + state.messages.len() as u64);
    let base = chrono::DateTime::parse_from_rfc3339("2024-10-01T14:00:00Z")
        .map(|t| t.timestamp())
        .unwrap_or(0);
    let start = state.messages.len();
    for i in 0..count {
        let n = start + i;
        let lead_idx = rng.random_range(0..state.leads.len());
        let lead = &state.leads[lead_idx];
        let lead_id = lead["id"].as_str().unwrap_or_default().to_string();
        let name = lead["firstName"]
            .as_str()
            .unwrap_or("there")
            .trim()
            .to_string();
        let group = lead["activeGroupIds"][0]
            .as_str()
            .unwrap_or(GROUP_IDS[0])
            .to_string();
        let inbound = rng.random_bool(0.3);
        let agent = AGENT_IDS[rng.random_range(0..AGENT_IDS.len())];
        let at = chrono::DateTime::from_timestamp(base + (n as i64) * 37, 0)
            .map(|t| t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string())
            .unwrap_or_default();
        let mut msg = json!({
            "id": format!("msg{n:07x}"),
            "threadId": format!("thr{lead_idx:06x}"),
            "leadId": lead_id,
            "groupId": group,
            "type": "SMS",
            "createdAt": at,
        });
        if inbound {
            msg["direction"] = json!("inbound");
            msg["status"] = json!("received");
            msg["body"] = json!(INBOUND[rng.random_range(0..INBOUND.len())]);
        } else {
            let (status, error): (&str, Option<&str>) = match rng.random_range(0..100) {
                0..=79 => ("delivered", None),
                80..=89 => ("sent", None),
                90..=93 => ("failed", Some("not_textable")),
                94..=96 => ("undelivered", Some("30007")),
                _ => ("queued", None),
            };
            msg["direction"] = json!("outbound");
            msg["agentId"] = json!(agent);
            msg["status"] = json!(status);
            if let Some(e) = error {
                msg["errorCode"] = json!(e);
            }
            let template = OUTBOUND[rng.random_range(0..OUTBOUND.len())];
            msg["body"] =
                Value::String(template.replace("{name}", &name).replace("{agent}", "Ana"));
        }
        state.insert_message(msg);
    }
}
