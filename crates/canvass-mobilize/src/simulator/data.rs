//! The simulator's state: seeded organizations, people, events, timeslots
//! and attendances, and how they render as Mobilize JSON.

use std::collections::{BTreeMap, HashMap, HashSet};

use canvass_testkit::generate::Population;
use serde_json::{Value, json};

use super::SimOptions;
use crate::models::derived_attendance_id;

/// Seeded records were last modified around here (Nov 2023), well before any
/// run, so an incremental read sees only what a test changes.
pub(crate) const SEED_BASE: i64 = 1_700_000_000;

pub(crate) fn unix_now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// Counts of what clients wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WriteCounts {
    /// Attendances created by signups.
    pub attendances_created: u64,
    /// Signups that matched an existing attendance.
    pub attendances_matched: u64,
    /// People created by signups (no person with that email yet).
    pub people_created: u64,
    /// People matched by email and updated by signups.
    pub people_matched: u64,
    /// Events created.
    pub events_created: u64,
    /// Events updated.
    pub events_updated: u64,
    /// Events deleted.
    pub events_deleted: u64,
}

#[derive(Debug, Clone)]
pub(crate) struct SimPerson {
    pub id: u64,
    pub created: i64,
    pub modified: i64,
    pub given: String,
    pub family: String,
    pub email: String,
    pub phone: Option<String>,
    pub zip: String,
    pub sms: &'static str,
    pub blocked: Option<i64>,
}

#[derive(Debug, Clone)]
pub(crate) struct SimTimeslot {
    pub id: u64,
    pub start: i64,
    pub end: Option<i64>,
    pub max_attendees: Option<u32>,
}

#[derive(Debug, Clone)]
pub(crate) struct SimEvent {
    pub id: u64,
    pub title: String,
    pub summary: String,
    pub description: String,
    pub timezone: String,
    pub event_type: String,
    pub visibility: String,
    pub location: Option<Value>,
    pub timeslots: Vec<SimTimeslot>,
    pub tags: Vec<u64>,
    pub contact: Value,
    pub created: i64,
    pub modified: i64,
    pub high_priority: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct SimAttendance {
    pub id: u64,
    pub person: u64,
    pub event: u64,
    pub timeslot: u64,
    pub status: &'static str,
    pub attended: Option<bool>,
    pub created: i64,
    pub modified: i64,
    pub referrer: Option<Value>,
    pub custom: Option<Value>,
    pub omit_id: bool,
}

pub(crate) const TAGS: &[(u64, &str)] = &[
    (1, "GOTV"),
    (2, "Canvass"),
    (3, "Phone bank"),
    (4, "Training"),
    (5, "Youth"),
    (6, "Spanish-language"),
];

const EVENT_TYPES: &[&str] = &[
    "CANVASS",
    "PHONE_BANK",
    "TEXT_BANK",
    "MEETING",
    "TRAINING",
    "VOTER_REG",
    "RALLY",
    "COMMUNITY_CANVASS",
    "VOTER_PROTECTION_HOTLINE",
    "OTHER",
];

pub(crate) struct State {
    pub options: SimOptions,
    pub people: BTreeMap<u64, SimPerson>,
    pub by_email: HashMap<String, u64>,
    pub events: BTreeMap<u64, SimEvent>,
    pub deleted: BTreeMap<u64, i64>,
    pub attendances: BTreeMap<u64, SimAttendance>,
    pub next_person: u64,
    pub next_event: u64,
    pub next_timeslot: u64,
    pub next_attendance: u64,
    pub writes: WriteCounts,
    /// Routes (method, path template) answered with a 404, as by an account
    /// that does not offer them.
    pub withheld: Vec<(String, String)>,
}

pub(crate) fn email_key(email: &str) -> String {
    email.trim().to_lowercase()
}

impl State {
    /// Whether `method` on `path` is a withheld route.
    pub fn withholds(&self, method: &str, path: &str) -> bool {
        self.withheld.iter().any(|(m, template)| {
            m.eq_ignore_ascii_case(method) && canvass_core::routes::template_matches(template, path)
        })
    }

    pub fn seed(options: SimOptions) -> State {
        let now = unix_now();
        let mut st = State {
            options: options.clone(),
            people: BTreeMap::new(),
            by_email: HashMap::new(),
            events: BTreeMap::new(),
            deleted: BTreeMap::new(),
            attendances: BTreeMap::new(),
            next_person: 1001,
            next_event: 501,
            next_timeslot: 9001,
            withheld: Vec::new(),
            next_attendance: 100_001,
            writes: WriteCounts::default(),
        };
        let population = Population::generate(options.seed, options.people.max(1));
        for i in 0..options.people {
            let m = population.messy(i, "mobilize");
            let human = &population.humans[m.human];
            // Mobilize identifies people by email: every person has one, and
            // people who typed the same one are one person.
            let email = m.email.clone().unwrap_or_else(|| human.email.clone());
            if st.by_email.contains_key(&email_key(&email)) {
                continue;
            }
            let id = st.next_person;
            st.next_person += 1;
            let t = SEED_BASE + i as i64 * 60;
            st.by_email.insert(email_key(&email), id);
            st.people.insert(
                id,
                SimPerson {
                    id,
                    created: t - 86_400,
                    modified: t,
                    given: m.given_name.clone(),
                    family: m.family_name.clone(),
                    email,
                    phone: m.phone.clone(),
                    zip: m.zip.clone(),
                    sms: match i % 4 {
                        0 => "OPT_IN",
                        1 => "OPT_OUT",
                        _ => "UNSPECIFIED",
                    },
                    blocked: (i % 97 == 3).then_some(t + 30),
                },
            );
        }
        let total_events = options.events + options.deleted_events;
        for i in 0..total_events {
            let id = st.next_event;
            st.next_event += 1;
            let day = now + (i as i64 - (total_events as i64) / 3) * 86_400;
            let slots = 1 + i % 3;
            let mut timeslots = Vec::new();
            for s in 0..slots {
                let start = day + s as i64 * 86_400 + 17 * 3600;
                let open_ended = options.open_ended_every > 0
                    && i % options.open_ended_every == 1
                    && s == slots - 1;
                timeslots.push(SimTimeslot {
                    id: st.next_timeslot,
                    start,
                    end: (!open_ended).then_some(start + 3 * 3600),
                    max_attendees: (i % 4 == 0).then_some(20),
                });
                st.next_timeslot += 1;
            }
            let is_virtual = options.virtual_every > 0 && i % options.virtual_every == 2;
            let private = options.private_every > 0 && i % options.private_every == 4;
            let location = (!is_virtual).then(|| {
                let zip = format!("{:05}", 10_003 + (i % 40) * 7);
                let (cd, sl, ss) = ((i % 14 + 1).to_string(), (i % 99 + 1).to_string(), (i % 40 + 1).to_string());
                let mut loc = json!({
                    "venue": if i % 5 == 0 { String::new() } else { format!("Field office {}", i % 9) },
                    "address_lines": [format!("{} Main St", 100 + i), ""],
                    "locality": "New York",
                    "region": "NY",
                    "country": "US",
                    "postal_code": zip,
                    "location": {"latitude": 40.73 + (i % 10) as f64 * 0.01, "longitude": -73.98},
                });
                // The docs spell district fields two ways; serve both.
                let (a, b, c) = if i % 2 == 0 {
                    ("congressional_district", "state_leg_district", "state_senate_district")
                } else {
                    ("congressional_district_value", "state_leg_district_value", "state_senate_district_value")
                };
                if let Value::Object(map) = &mut loc {
                    map.insert(a.into(), json!(cd));
                    map.insert(b.into(), json!(sl));
                    map.insert(c.into(), json!(ss));
                }
                loc
            });
            let tags = match i % 4 {
                0 => vec![1],
                1 => vec![2, 5],
                2 if private => vec![4],
                2 => vec![3, 6],
                _ => vec![],
            };
            let t = SEED_BASE + i as i64 * 120;
            st.events.insert(
                id,
                SimEvent {
                    id,
                    title: format!("{} #{i}", if is_virtual { "Virtual phone bank" } else { "Neighborhood canvass" }),
                    summary: String::new(),
                    description: format!("<p>Event {i}: bring water.</p>"),
                    timezone: "America/New_York".into(),
                    event_type: EVENT_TYPES[i % EVENT_TYPES.len()].into(),
                    visibility: if private { "PRIVATE" } else { "PUBLIC" }.into(),
                    location,
                    timeslots,
                    tags,
                    contact: json!({"name": "Field team", "email_address": "field@example.org", "phone_number": "4142020792", "owner_user_id": 5}),
                    created: t - 3600,
                    modified: t,
                    high_priority: i % 6 == 0,
                },
            );
        }
        // The last few events are deleted (in the past).
        let doomed: Vec<u64> = st
            .events
            .keys()
            .rev()
            .take(options.deleted_events)
            .copied()
            .collect();
        for (k, id) in doomed.into_iter().enumerate() {
            st.events.remove(&id);
            st.deleted.insert(id, SEED_BASE + 500_000 + k as i64);
        }
        st.seed_attendances(now);
        st
    }

    fn seed_attendances(&mut self, now: i64) {
        let people: Vec<u64> = self.people.keys().copied().collect();
        let slots: Vec<(u64, u64, i64)> = self
            .events
            .values()
            .flat_map(|e| e.timeslots.iter().map(move |t| (e.id, t.id, t.start)))
            .collect();
        if people.is_empty() || slots.is_empty() {
            return;
        }
        let mut taken: HashSet<(u64, u64)> = HashSet::new();
        let mut lcg: u64 = self
            .options
            .seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1);
        let mut k = 0usize;
        let capacity = people.len() * slots.len();
        while k < self.options.attendances && taken.len() < capacity {
            lcg = lcg
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let person = people[(lcg >> 33) as usize % people.len()];
            let (event, timeslot, start) = slots[(lcg >> 13) as usize % slots.len()];
            if !taken.insert((person, timeslot)) {
                continue;
            }
            let id = self.next_attendance;
            self.next_attendance += 1;
            let t = SEED_BASE + 1_000_000 + k as i64 * 10;
            let past = start < now;
            self.attendances.insert(
                id,
                SimAttendance {
                    id,
                    person,
                    event,
                    timeslot,
                    status: match k % 10 {
                        7 | 8 => "CONFIRMED",
                        9 => "CANCELLED",
                        _ => "REGISTERED",
                    },
                    attended: match (past, k % 4) {
                        (true, 0) => Some(true),
                        (true, 1) => Some(false),
                        _ => None,
                    },
                    created: t - 60,
                    modified: t,
                    referrer: k.is_multiple_of(5).then(|| {
                        json!({"utm_source": "email", "utm_medium": null, "utm_campaign": "gotv", "utm_term": null, "utm_content": "button", "url": format!("https://www.mobilize.us/org/event/{event}/")})
                    }),
                    custom: k.is_multiple_of(6).then(|| {
                        json!([{"custom_field_id": 1, "custom_field_name": "shirt", "text_value": "L", "boolean_value": null}])
                    }),
                    omit_id: self.options.omit_attendance_id_every > 0 && k % self.options.omit_attendance_id_every == 5,
                },
            );
            k += 1;
        }
    }

    pub fn org_json(&self, id: u64) -> Value {
        let promoted = id != self.options.organization_id;
        json!({
            "id": id,
            "name": if promoted { "Allied Tenants Union" } else { "Simulated Organizing Project" },
            "slug": if promoted { "allied-tenants" } else { "sim-organizing" },
            "is_coordinated": false,
            "is_independent": true,
            "is_primary_campaign": false,
            "state": "NY",
            "district": "",
            "candidate_name": "",
            "race_type": null,
            "event_feed_url": format!("https://www.mobilize.us/org{id}/"),
            "created_date": SEED_BASE - 10_000_000,
            "modified_date": SEED_BASE - 10_000_000,
            "org_type": "INDEPENDENT",
            // Published organizations carry a logo (Parsons'
            // test/test_mobilize/data/events_organization.json, the sponsor
            // of each event), though the README's field table omits it.
            "logo_url": format!("https://mobilize-uploads-prod.s3.amazonaws.com/branding/org{id}.png"),
        })
    }

    pub fn person_json(&self, p: &SimPerson) -> Value {
        json!({
            "id": p.id,
            "person_id": p.id,
            "user_id": p.id + 5_000_000,
            "created_date": p.created,
            "modified_date": p.modified,
            "given_name": p.given,
            "family_name": p.family,
            "email_addresses": [{"primary": true, "address": p.email}],
            "phone_numbers": p.phone.as_ref().map_or_else(Vec::new, |n| vec![json!({"primary": true, "number": n})]),
            "postal_addresses": [{"primary": true, "postal_code": p.zip}],
            "sms_opt_in_status": p.sms,
            "blocked_date": p.blocked,
        })
    }

    pub fn timeslot_json(t: &SimTimeslot, now: i64, taken: usize) -> Value {
        let mut v = json!({
            "id": t.id,
            "start_date": t.start,
            "max_attendees": t.max_attendees,
            "is_full": t.max_attendees.is_some_and(|m| taken >= m as usize) || t.start < now - 86_400 * 365,
            "instructions": "",
        });
        if let (Some(end), Value::Object(map)) = (t.end, &mut v) {
            map.insert("end_date".into(), json!(end));
        }
        v
    }

    pub fn event_json(
        &self,
        e: &SimEvent,
        authenticated: bool,
        slots: Option<&[u64]>,
        now: i64,
    ) -> Value {
        let timeslots: Vec<Value> = e
            .timeslots
            .iter()
            .filter(|t| slots.is_none_or(|s| s.contains(&t.id)))
            .map(|t| State::timeslot_json(t, now, 0))
            .collect();
        let tags: Vec<Value> = e
            .tags
            .iter()
            .filter_map(|id| TAGS.iter().find(|(t, _)| t == id))
            .map(|(id, name)| json!({"id": id, "name": name}))
            .collect();
        json!({
            "id": e.id,
            "title": e.title,
            "summary": e.summary,
            "description": e.description,
            "featured_image_url": "",
            "high_priority": e.high_priority,
            "sponsor": self.org_json(self.options.organization_id),
            "timeslots": timeslots,
            "location": e.location,
            "timezone": e.timezone,
            "event_type": e.event_type,
            "browser_url": format!("https://www.mobilize.us/sim/event/{}/", e.id),
            "created_date": e.created,
            "modified_date": e.modified,
            "visibility": e.visibility,
            "address_visibility": "PUBLIC",
            "created_by_volunteer_host": false,
            "is_virtual": e.location.is_none(),
            "virtual_action_url": null,
            "contact": if authenticated { e.contact.clone() } else { Value::Null },
            "accessibility_status": null,
            "accessibility_notes": "",
            "tags": tags,
            "approval_status": "APPROVED",
            "event_campaign": null,
            "instructions": null,
        })
    }

    pub fn attendance_json(&self, a: &SimAttendance, now: i64) -> Value {
        let person = self
            .people
            .get(&a.person)
            .map_or(Value::Null, |p| self.person_json(p));
        let event = self.events.get(&a.event);
        let event_json = event.map_or(Value::Null, |e| self.event_json(e, true, None, now));
        let timeslot = event
            .and_then(|e| e.timeslots.iter().find(|t| t.id == a.timeslot))
            .map_or(Value::Null, |t| {
                let mut v = json!({"id": t.id, "start_date": t.start});
                if let (Some(end), Value::Object(m)) = (t.end, &mut v) {
                    m.insert("end_date".into(), json!(end));
                }
                v
            });
        let mut v = json!({
            "created_date": a.created,
            "modified_date": a.modified,
            "status": a.status,
            "attended": a.attended,
            "person": person,
            "event": event_json,
            "timeslot": timeslot,
            "sponsor": self.org_json(self.options.organization_id),
        });
        if let Value::Object(m) = &mut v {
            if !a.omit_id {
                m.insert("id".into(), json!(a.id));
            }
            if let Some(r) = &a.referrer {
                m.insert("referrer".into(), r.clone());
            }
            if let Some(c) = &a.custom {
                m.insert("custom_signup_field_values".into(), c.clone());
            }
        }
        v
    }

    pub fn attendance_id(&self, a: &SimAttendance) -> String {
        if a.omit_id {
            derived_attendance_id(
                Some(&a.person.to_string()),
                Some(a.event),
                Some(a.timeslot),
                None,
            )
        } else {
            a.id.to_string()
        }
    }
}
