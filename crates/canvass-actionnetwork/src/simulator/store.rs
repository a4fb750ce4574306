//! The simulator's data: collections of HAL resources, seeding from a
//! [`Population`], OData filters, page rendering and the upsert rules.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, TimeZone, Utc};
use serde_json::{Map, Value, json};

use canvass_core::time::parse_timestamp;
use canvass_testkit::generate::Population;

use super::SimConfig;

/// One resource.
#[derive(Debug, Clone)]
pub(crate) struct Item {
    /// Its id (the uuid in `action_network:<uuid>`).
    pub id: String,
    /// Its own path, relative to `/api/v2/` (`people/{id}`).
    pub path: String,
    pub modified: DateTime<Utc>,
    /// The body, without `_links`.
    pub json: Map<String, Value>,
    /// Links: rel → path relative to `/api/v2/`.
    pub links: Vec<(String, String)>,
    /// The person it belongs to (taggings, attendances, donations, submissions).
    pub person: Option<String>,
    /// Its parent's id (a donation's fundraising page).
    pub parent: Option<String>,
    /// Inserted as recorded JSON: served exactly as given.
    pub raw: bool,
}

impl Item {
    fn new(
        id: String,
        path: String,
        created: DateTime<Utc>,
        modified: DateTime<Utc>,
        mut json: Map<String, Value>,
    ) -> Item {
        json.insert(
            "identifiers".into(),
            json!([format!("action_network:{id}")]),
        );
        json.insert("created_date".into(), Value::String(stamp(created)));
        json.insert("modified_date".into(), Value::String(stamp(modified)));
        Item {
            id,
            path,
            modified,
            json,
            links: vec![],
            person: None,
            parent: None,
            raw: false,
        }
    }

    fn touch(&mut self, at: DateTime<Utc>) {
        self.modified = at;
        self.json
            .insert("modified_date".into(), Value::String(stamp(at)));
    }
}

pub(crate) fn stamp(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Deterministic uuid-shaped ids.
fn uuid(seed: u64, n: u64) -> String {
    let mut x = seed ^ n.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let mut next = || {
        x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = x;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    let (a, b) = (next(), next());
    format!(
        "{:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xfff,
        (b >> 48) & 0xfff,
        b & 0xffff_ffff_ffff
    )
}

/// Everything the simulator holds.
#[derive(Debug, Default)]
pub(crate) struct Store {
    /// Collections by path: `people`, `tags`, `tags/{id}/taggings`, …
    pub collections: BTreeMap<String, Vec<Item>>,
    seed: u64,
    next_id: u64,
    clock: Option<DateTime<Utc>>,
    /// People created by the signup helper.
    pub people_created: u64,
    /// Signups matched to an existing person.
    pub people_matched: u64,
    /// Routes (method, path template) answered with a 404, as for a key
    /// that does not offer them.
    pub withheld: Vec<(String, String)>,
}

fn base_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0)
        .single()
        .unwrap_or_default()
}

const EMAIL_STATUSES: [&str; 10] = [
    "unsubscribed",
    "previous bounce",
    "bouncing",
    "subscribed",
    "subscribed",
    "subscribed",
    "spam complaint",
    "subscribed",
    "subscribed",
    "subscribed",
];
const RSVP: [&str; 4] = ["accepted", "tentative", "declined", "needs action"];

impl Store {
    pub(crate) fn new_id(&mut self) -> String {
        self.next_id += 1;
        uuid(self.seed, self.next_id)
    }

    /// The simulator's clock: wall time in whole seconds, never going back.
    pub(crate) fn now(&mut self) -> DateTime<Utc> {
        let wall = Utc::now();
        let wall = Utc
            .timestamp_opt(wall.timestamp(), 0)
            .single()
            .unwrap_or(wall);
        let now = self.clock.map_or(wall, |c| c.max(wall));
        self.clock = Some(now);
        now
    }

    fn push(&mut self, key: &str, item: Item) {
        self.collections
            .entry(key.to_string())
            .or_default()
            .push(item);
    }

    pub(crate) fn seeded(config: &SimConfig) -> Store {
        let mut s = Store {
            seed: config.seed,
            ..Store::default()
        };
        s.collections.insert("people".into(), Vec::new());
        let base = base_time();
        let pop = Population::generate(config.seed, config.people);
        let mut people = Vec::with_capacity(config.people);
        for i in 0..config.people {
            let m = pop.messy(i, "actionnetwork");
            let id = s.new_id();
            let created = base + Duration::seconds(i as i64 * 60);
            let modified = created + Duration::seconds((i % 5) as i64 * 3600);
            let mut body = Map::new();
            body.insert("given_name".into(), json!(m.given_name));
            body.insert("family_name".into(), json!(m.family_name));
            if let Some(e) = &m.email {
                body.insert(
                    "email_addresses".into(),
                    json!([{"primary": true, "address": e, "status": EMAIL_STATUSES[i % EMAIL_STATUSES.len()]}]),
                );
            }
            if let Some(p) = &m.phone {
                body.insert(
                    "phone_numbers".into(),
                    json!([{"primary": true, "number": p, "number_type": "Mobile",
                            "status": if i % 3 == 0 { "subscribed" } else { "unsubscribed" }}]),
                );
            }
            body.insert(
                "postal_addresses".into(),
                json!([{"primary": true, "address_lines": [m.street], "locality": m.city, "region": m.state,
                        "postal_code": m.zip, "country": "US",
                        "location": {"latitude": 38.919, "longitude": -77.0378, "accuracy": "Approximate"}}]),
            );
            body.insert("languages_spoken".into(), json!(["en"]));
            body.insert("custom_fields".into(), json!({}));
            let mut item = Item::new(id.clone(), format!("people/{id}"), created, modified, body);
            item.links = vec![
                (
                    "osdi:attendances".into(),
                    format!("people/{id}/attendances"),
                ),
                ("osdi:taggings".into(), format!("people/{id}/taggings")),
                ("osdi:donations".into(), format!("people/{id}/donations")),
            ];
            people.push(id);
            s.push("people", item);
        }

        let tags: Vec<String> = (0..config.tags)
            .map(|t| {
                let id = s.new_id();
                let at = base - Duration::days(30 - t as i64);
                let mut item = Item::new(
                    id.clone(),
                    format!("tags/{id}"),
                    at,
                    at,
                    json!({"name": format!("Tag {t}")})
                        .as_object()
                        .cloned()
                        .unwrap_or_default(),
                );
                item.links = vec![("osdi:taggings".into(), format!("tags/{id}/taggings"))];
                s.push("tags", item);
                s.collections
                    .entry(format!("tags/{id}/taggings"))
                    .or_default();
                id
            })
            .collect();
        if !tags.is_empty() {
            for (i, person) in people.iter().enumerate().filter(|(i, _)| i % 3 == 0) {
                let tag = tags[i % tags.len()].clone();
                let at = base + Duration::seconds(i as i64 * 60 + 30);
                s.add_tagging_at(&tag, person, at);
            }
        }

        let events: Vec<String> = (0..config.events)
            .map(|e| {
                let id = s.new_id();
                let at = base + Duration::days(e as i64);
                let start = base + Duration::days(40 + e as i64);
                // The fields and links of the events collection's published
                // example (actionnetwork.org/docs/v2/events; Parsons'
                // test/test_action_network/data/fake_events.json).
                let body = json!({
                    "origin_system": "Action Network", "status": "confirmed", "title": format!("Canvass launch {e}"),
                    "description": "<p>Knock doors with us.</p>", "instructions": "<p>Bring water.</p>",
                    "browser_url": format!("https://actionnetwork.org/events/canvass-launch-{e}"),
                    "featured_image_url": format!("https://actionnetwork.org/images/canvass-launch-{e}.jpg"),
                    "start_date": stamp(start), "transparence": "opaque", "visibility": "public",
                    "guests_can_invite_others": true, "capacity": 50,
                    "reminders": [{"method": "email", "minutes": 1440}], "total_accepted": 0,
                    "action_network:hidden": false,
                    "action_network:sponsor": {"title": "Simulated Organizing Project", "browser_url": "https://actionnetwork.org/groups/simulated-organizing-project"},
                    "location": {"venue": "Union hall", "address_lines": ["1600 Main St"], "locality": "Atlanta",
                                 "region": "GA", "postal_code": "30303", "country": "US", "language": "en",
                                 "location": {"latitude": 33.75, "longitude": -84.39, "accuracy": "Rooftop"}}
                });
                let mut item = Item::new(id.clone(), format!("events/{id}"), at, at, body.as_object().cloned().unwrap_or_default());
                item.links = vec![
                    ("osdi:attendances".into(), format!("events/{id}/attendances")),
                    ("osdi:record_attendance_helper".into(), format!("events/{id}/attendances")),
                    ("action_network:embed".into(), format!("events/{id}/embed")),
                ];
                if let Some(organizer) = people.get(e % people.len().max(1)) {
                    item.links.push(("osdi:organizer".into(), format!("people/{organizer}")));
                    item.links.push(("osdi:creator".into(), format!("people/{organizer}")));
                }
                s.push("events", item);
                s.collections.entry(format!("events/{id}/attendances")).or_default();
                id
            })
            .collect();
        for (e, event) in events.iter().enumerate() {
            for (i, person) in people.iter().enumerate().filter(|(i, _)| (i + e) % 5 == 0) {
                let at = base + Duration::days(e as i64) + Duration::seconds(i as i64 * 60);
                s.put_attendance_at(event, person, RSVP[(i / 5) % RSVP.len()], at);
            }
        }

        let pages: Vec<String> = (0..config.fundraising_pages)
            .map(|f| {
                let id = s.new_id();
                let at = base + Duration::days(f as i64);
                let item = Item::new(id.clone(), format!("fundraising_pages/{id}"), at, at,
                    json!({"title": format!("Fund the field {f}"), "origin_system": "Action Network"}).as_object().cloned().unwrap_or_default());
                s.push("fundraising_pages", item);
                id
            })
            .collect();
        s.collections.entry("donations".into()).or_default();
        if !pages.is_empty() && config.donation_every > 0 {
            for (i, person) in people
                .iter()
                .enumerate()
                .filter(|(i, _)| i % config.donation_every == 0)
            {
                let id = s.new_id();
                let page = pages[i % pages.len()].clone();
                let at = base + Duration::seconds(i as i64 * 60 + 45);
                let amount = format!("{}.{:02}", 5 + (i % 50), (i * 7) % 100);
                let recurring = i % 3 == 0;
                let body = json!({
                    "amount": amount, "currency": "usd",
                    "recipients": [{"display_name": "Organizing Fund", "amount": amount}],
                    "payment": {"method": "Credit Card", "reference_number": format!("ch_{i}"), "authorization_stored": false},
                    "action_network:recurrence": {"recurring": recurring, "period": if recurring { "Monthly" } else { "Once" }},
                    "action_network:person_id": person, "action_network:fundraising_page_id": page,
                });
                let mut item = Item::new(
                    id.clone(),
                    format!("donations/{id}"),
                    at,
                    at,
                    body.as_object().cloned().unwrap_or_default(),
                );
                // The donations docs' example links the donor as
                // `osdi:person` (not OSDI's `osdi:donor`).
                item.links = vec![
                    ("osdi:person".into(), format!("people/{person}")),
                    (
                        "osdi:fundraising_page".into(),
                        format!("fundraising_pages/{page}"),
                    ),
                ];
                item.person = Some(person.clone());
                item.parent = Some(page);
                s.push("donations", item);
            }
        }

        for (coll, child, n, every, target_rel) in [
            ("forms", "submissions", config.forms, 6usize, "osdi:form"),
            (
                "petitions",
                "signatures",
                config.petitions,
                7usize,
                "osdi:petition",
            ),
        ] {
            let parents: Vec<String> = (0..n)
                .map(|k| {
                    let id = s.new_id();
                    let at = base + Duration::days(k as i64);
                    let mut item = Item::new(
                        id.clone(),
                        format!("{coll}/{id}"),
                        at,
                        at,
                        json!({"title": format!("{coll} {k}"), "origin_system": "Action Network"})
                            .as_object()
                            .cloned()
                            .unwrap_or_default(),
                    );
                    item.links = vec![(format!("osdi:{child}"), format!("{coll}/{id}/{child}"))];
                    s.push(coll, item);
                    s.collections
                        .entry(format!("{coll}/{id}/{child}"))
                        .or_default();
                    id
                })
                .collect();
            if parents.is_empty() {
                continue;
            }
            for (i, person) in people.iter().enumerate().filter(|(i, _)| i % every == 0) {
                let parent = parents[i % parents.len()].clone();
                let id = s.new_id();
                let at = base + Duration::seconds(i as i64 * 60 + 50);
                let mut body = json!({"action_network:person_id": person});
                if coll == "petitions" {
                    body["comments"] = json!("Count me in.");
                    // As the signatures docs' field table and example show.
                    body["action_network:petition_id"] = json!(parent);
                } else {
                    body["action_network:form_id"] = json!(parent);
                }
                let mut item = Item::new(
                    id.clone(),
                    format!("{coll}/{parent}/{child}/{id}"),
                    at,
                    at,
                    body.as_object().cloned().unwrap_or_default(),
                );
                item.links = vec![
                    (target_rel.into(), format!("{coll}/{parent}")),
                    ("osdi:person".into(), format!("people/{person}")),
                ];
                item.person = Some(person.clone());
                s.push(&format!("{coll}/{parent}/{child}"), item);
            }
        }

        for l in 0..config.lists {
            let id = s.new_id();
            let item = Item::new(
                id.clone(),
                format!("lists/{id}"),
                base,
                base,
                json!({"name": format!("List {l}"), "origin_system": "Action Network"})
                    .as_object()
                    .cloned()
                    .unwrap_or_default(),
            );
            s.push("lists", item);
            for person in people.iter().take(10) {
                let item_id = s.new_id();
                let mut item = Item::new(
                    item_id.clone(),
                    format!("lists/{id}/items/{item_id}"),
                    base,
                    base,
                    Map::new(),
                );
                item.links = vec![("osdi:person".into(), format!("people/{person}"))];
                s.push(&format!("lists/{id}/items"), item);
            }
        }
        for m in 0..config.messages {
            let id = s.new_id();
            let at = base + Duration::days(m as i64);
            let item = Item::new(id.clone(), format!("messages/{id}"), at, at, json!({
                "subject": format!("Update {m}"), "status": "sent", "type": "email",
                "statistics": {"sent": 100, "opened": 40, "verified_opened": 30, "clicked": 5, "unsubscribed": 1, "bounced": 2}
            }).as_object().cloned().unwrap_or_default());
            s.push("messages", item);
        }
        s
    }

    fn find(&self, key: &str, id: &str) -> Option<&Item> {
        self.collections.get(key)?.iter().find(|i| i.id == id)
    }

    pub(crate) fn find_mut(&mut self, key: &str, id: &str) -> Option<&mut Item> {
        self.collections
            .get_mut(key)?
            .iter_mut()
            .find(|i| i.id == id)
    }

    pub(crate) fn get(&self, key: &str, id: &str) -> Option<&Item> {
        self.find(key, id)
    }

    /// Applies a tag to a person (once); returns the tagging and whether it is new.
    pub(crate) fn add_tagging(&mut self, tag: &str, person: &str) -> (Item, bool) {
        let at = self.now();
        self.add_tagging_at(tag, person, at)
    }

    fn add_tagging_at(&mut self, tag: &str, person: &str, at: DateTime<Utc>) -> (Item, bool) {
        let key = format!("tags/{tag}/taggings");
        if let Some(existing) = self
            .collections
            .get(&key)
            .and_then(|c| c.iter().find(|i| i.person.as_deref() == Some(person)))
        {
            return (existing.clone(), false);
        }
        let id = self.new_id();
        let mut item = Item::new(
            id.clone(),
            format!("tags/{tag}/taggings/{id}"),
            at,
            at,
            json!({"item_type": "osdi:person"})
                .as_object()
                .cloned()
                .unwrap_or_default(),
        );
        item.links = vec![
            ("osdi:tag".into(), format!("tags/{tag}")),
            ("osdi:person".into(), format!("people/{person}")),
        ];
        item.person = Some(person.to_string());
        self.push(&key, item.clone());
        (item, true)
    }

    /// Records an RSVP (one per person per event); returns it and whether it is new.
    pub(crate) fn put_attendance(
        &mut self,
        event: &str,
        person: &str,
        status: &str,
    ) -> (Item, bool) {
        let at = self.now();
        self.put_attendance_at(event, person, status, at)
    }

    fn put_attendance_at(
        &mut self,
        event: &str,
        person: &str,
        status: &str,
        at: DateTime<Utc>,
    ) -> (Item, bool) {
        let key = format!("events/{event}/attendances");
        if let Some(existing) = self
            .collections
            .get_mut(&key)
            .and_then(|c| c.iter_mut().find(|i| i.person.as_deref() == Some(person)))
        {
            existing.json.insert("status".into(), json!(status));
            existing.touch(at);
            return (existing.clone(), false);
        }
        let id = self.new_id();
        let body = json!({"status": status, "action_network:person_id": person, "action_network:event_id": event});
        let mut item = Item::new(
            id.clone(),
            format!("events/{event}/attendances/{id}"),
            at,
            at,
            body.as_object().cloned().unwrap_or_default(),
        );
        item.links = vec![
            ("osdi:event".into(), format!("events/{event}")),
            ("osdi:person".into(), format!("people/{person}")),
        ];
        item.person = Some(person.to_string());
        self.push(&key, item.clone());
        (item, true)
    }

    /// Every item across collections matching `key_matches`, for a person view.
    pub(crate) fn person_view(
        &self,
        person: &str,
        key_matches: impl Fn(&str) -> bool,
    ) -> Vec<&Item> {
        self.collections
            .iter()
            .filter(|(k, _)| key_matches(k))
            .flat_map(|(_, items)| items.iter())
            .filter(|i| i.person.as_deref() == Some(person))
            .collect()
    }

    /// Modifies `n` people spread evenly through the collection; returns their ids.
    pub(crate) fn touch_people(&mut self, n: usize) -> Vec<String> {
        let at = self.now();
        let people = self.collections.entry("people".into()).or_default();
        if n == 0 || people.is_empty() {
            return vec![];
        }
        let step = (people.len() / n.min(people.len())).max(1);
        let mut out = Vec::new();
        for item in people.iter_mut().step_by(step).take(n) {
            let name = item
                .json
                .get("family_name")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            item.json
                .insert("family_name".into(), json!(format!("{name}-Updated")));
            item.touch(at);
            out.push(item.id.clone());
        }
        out
    }

    /// Stores recorded JSON as is.
    pub(crate) fn insert_raw(&mut self, key: &str, json: Value) -> String {
        let id = canvass_actionnetwork_id(&json).unwrap_or_else(|| self.new_id());
        let modified = json
            .get("modified_date")
            .and_then(Value::as_str)
            .and_then(parse_timestamp)
            .unwrap_or_else(base_time);
        let item = Item {
            path: format!("{key}/{id}"),
            id: id.clone(),
            modified,
            json: json.as_object().cloned().unwrap_or_default(),
            links: vec![],
            person: None,
            parent: None,
            raw: true,
        };
        self.push(key, item);
        id
    }
}

fn canvass_actionnetwork_id(json: &Value) -> Option<String> {
    crate::models::resource_id(json)
}

/// Normalized contact keys for the upsert's de-duplication.
pub(crate) fn email_key(address: &str) -> String {
    address.trim().to_lowercase()
}

pub(crate) fn phone_key(number: &str) -> String {
    let digits: String = number.chars().filter(char::is_ascii_digit).collect();
    match digits.strip_prefix('1') {
        Some(rest) if digits.len() == 11 => rest.to_string(),
        _ => digits,
    }
}

/// Renders an item with absolute `_links`.
pub(crate) fn render(item: &Item, root: &str) -> Value {
    if item.raw {
        return Value::Object(item.json.clone());
    }
    let mut out = item.json.clone();
    let mut links = Map::new();
    links.insert(
        "self".into(),
        json!({"href": format!("{root}{}", item.path)}),
    );
    for (rel, path) in &item.links {
        links.insert(rel.clone(), json!({"href": format!("{root}{path}")}));
    }
    out.insert("_links".into(), Value::Object(links));
    Value::Object(out)
}

/// One comparison of an OData filter.
#[derive(Debug, Clone)]
pub(crate) struct Clause {
    field: String,
    op: String,
    value: String,
}

/// Parses `modified_date gt '2024-01-01' and email_address eq 'a@b.co'`.
pub(crate) fn parse_filter(text: &str) -> Result<Vec<Clause>, String> {
    let mut out = Vec::new();
    for part in text.split(" and ") {
        let part = part.trim();
        let mut words = part.splitn(3, ' ');
        let (Some(field), Some(op), Some(value)) = (words.next(), words.next(), words.next())
        else {
            return Err(format!("Invalid filter: {part}"));
        };
        let op = op.to_lowercase();
        if !["eq", "ne", "gt", "ge", "lt", "le"].contains(&op.as_str()) {
            return Err(format!("Invalid filter operator: {op}"));
        }
        let value = value.trim();
        let Some(value) = value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')) else {
            return Err(format!("Invalid filter value (use single quotes): {value}"));
        };
        out.push(Clause {
            field: field.to_string(),
            op,
            value: value.to_string(),
        });
    }
    Ok(out)
}

fn compare<T: PartialOrd>(a: T, op: &str, b: T) -> bool {
    match op {
        "eq" => a == b,
        "ne" => a != b,
        "gt" => a > b,
        "ge" => a >= b,
        "lt" => a < b,
        _ => a <= b,
    }
}

fn strings_at(item: &Item, list: &str, field: &str) -> Vec<String> {
    item.json
        .get(list)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|e| e.get(field).and_then(Value::as_str).map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Whether `item` passes every clause.
pub(crate) fn matches(item: &Item, clauses: &[Clause]) -> Result<bool, String> {
    for c in clauses {
        let ok = match c.field.as_str() {
            "modified_date" | "created_date" => {
                let bound = parse_timestamp(&c.value)
                    .ok_or_else(|| format!("Invalid date in filter: {}", c.value))?;
                let at = if c.field == "modified_date" {
                    Some(item.modified)
                } else {
                    item.json
                        .get("created_date")
                        .and_then(Value::as_str)
                        .and_then(parse_timestamp)
                };
                at.is_some_and(|t| compare(t, &c.op, bound))
            }
            "email_address" => strings_at(item, "email_addresses", "address")
                .iter()
                .any(|a| compare(email_key(a), &c.op, email_key(&c.value))),
            "phone_number" => strings_at(item, "phone_numbers", "number")
                .iter()
                .any(|p| compare(phone_key(p), &c.op, phone_key(&c.value))),
            "postal_code" | "region" => strings_at(item, "postal_addresses", &c.field)
                .iter()
                .any(|v| compare(v.as_str(), &c.op, c.value.as_str())),
            other => match item.json.get(other).and_then(Value::as_str) {
                Some(v) => compare(v, &c.op, c.value.as_str()),
                None => return Err(format!("Invalid filter field: {other}")),
            },
        };
        if !ok {
            return Ok(false);
        }
    }
    Ok(true)
}
