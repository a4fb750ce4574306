//! A stateful Action Network on loopback (feature `simulator`), built on
//! [`canvass_testkit::Sim`].
//!
//! It reproduces what the connector depends on: the `OSDI-API-Token` check
//! (a bad key gets `401 {"error": "API Key invalid or not present: <the key>"}`,
//! echoing the key back as Action Network is reported to); HAL+JSON pages of
//! at most 25 under `_embedded["osdi:<collection>"]`; a people collection
//! without `total_pages` whose last page keeps its `next` link (only an empty
//! page has none); `filter=modified_date gt '…'` (ignored on tags, as Action
//! Network does); the signup helper's de-duplication by email and by phone;
//! the record-attendance helper; taggings; `background_processing=true`;
//! `{"error": "…"}` bodies; and, once [`ActionNetworkSim::enforce_rate_limit`]
//! is called, 4 requests per second answered with 429 beyond it.
//!
//! ```
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! use canvass_actionnetwork::simulator::{ActionNetworkSim, SimConfig};
//! let sim = ActionNetworkSim::start(SimConfig { people: 30, ..SimConfig::default() }).await;
//! let client = sim.client_builder().build().unwrap();
//! let people: Vec<canvass_actionnetwork::models::Person> = client.people().list().all().await.unwrap();
//! assert_eq!(people.len(), 30);
//! # });
//! ```

mod store;

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex, MutexGuard};

use canvass_core::EntityKind;
use canvass_core::http::RetryPolicy;
use canvass_testkit::Reply;
use canvass_testkit::sim::{AuthRule, RequestExt, Route, Sim, SimControl, SimRateLimit};
use serde_json::{Map, Value, json};
use url::Url;
use wiremock::Request;

use crate::ActionNetworkClient;
use crate::client::{API_KEY_HEADER, ClientBuilder, MAX_PER_PAGE, RATE_LIMIT_PER_SECOND};
use store::{Item, Store, email_key, matches, parse_filter, phone_key, render};

/// What the simulator is seeded with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimConfig {
    /// Seed for the people generator and the ids.
    pub seed: u64,
    /// People (from [`canvass_testkit::generate::Population`], messy as typed into forms).
    pub people: usize,
    /// Tags; every third person is tagged with one.
    pub tags: usize,
    /// Events; each person RSVPs to some, with every status.
    pub events: usize,
    /// Fundraising pages donations are made through.
    pub fundraising_pages: usize,
    /// Every `n`th person donates (0: nobody).
    pub donation_every: usize,
    /// Forms; every 6th person submits one.
    pub forms: usize,
    /// Petitions; every 7th person signs one.
    pub petitions: usize,
    /// Lists (each holding the first 10 people).
    pub lists: usize,
    /// Email messages.
    pub messages: usize,
}

impl Default for SimConfig {
    /// A small group: 60 people, 3 tags, 3 events, 2 fundraising pages, a
    /// donation from every 4th person, 2 forms, 2 petitions, 1 list, 2 messages.
    fn default() -> Self {
        SimConfig {
            seed: 7,
            people: 60,
            tags: 3,
            events: 3,
            fundraising_pages: 2,
            donation_every: 4,
            forms: 2,
            petitions: 2,
            lists: 1,
            messages: 2,
        }
    }
}

/// Counts of what the signup helper did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SignupCounts {
    /// New people created.
    pub created: u64,
    /// Signups matched to an existing person (by email or phone).
    pub matched: u64,
}

/// A running Action Network simulator.
pub struct ActionNetworkSim {
    sim: Sim,
    store: Arc<Mutex<Store>>,
}

impl std::fmt::Debug for ActionNetworkSim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ActionNetworkSim")
            .field("uri", &self.sim.uri())
            .finish_non_exhaustive()
    }
}

fn lock(store: &Mutex<Store>) -> MutexGuard<'_, Store> {
    store.lock().unwrap_or_else(|p| p.into_inner())
}

fn error(status: u16, message: &str) -> Reply {
    Reply::json(status, &json!({ "error": message }))
}

fn hal(status: u16, body: &Value) -> Reply {
    Reply::json_as(status, body, "application/hal+json")
}

/// The API root as the client sees it, from the request.
fn root(req: &Request) -> String {
    let host = req.url.host_str().unwrap_or("127.0.0.1");
    match req.url.port() {
        Some(p) => format!("{}://{host}:{p}/api/v2/", req.url.scheme()),
        None => format!("{}://{host}/api/v2/", req.url.scheme()),
    }
}

fn segments(req: &Request) -> Vec<String> {
    req.url
        .path()
        .trim_start_matches("/api/v2")
        .split('/')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

fn singular(collection: &str) -> &str {
    match collection {
        "people" => "person",
        "tags" => "tag",
        "events" => "event",
        "donations" => "donation",
        "forms" => "form",
        "petitions" => "petition",
        "lists" => "list",
        "messages" => "message",
        "fundraising_pages" => "fundraising page",
        "taggings" => "tagging",
        "attendances" => "attendance",
        "submissions" => "submission",
        "signatures" => "signature",
        other => other,
    }
}

fn not_found(collection: &str, id: &str) -> Reply {
    error(
        404,
        &format!("Couldn't find {} with id = {id}", singular(collection)),
    )
}

fn link_target(body: &Value, rel: &str) -> Option<String> {
    body.get("_links")
        .and_then(Value::as_object)
        .and_then(|l| crate::models::link_id(l, rel))
}

/// Renders one page of `items` (already filtered).
fn page_of(
    req: &Request,
    path: &str,
    collection: &str,
    items: &[&Item],
    people_style: bool,
) -> Reply {
    let root = root(req);
    let page: usize = req
        .query("page")
        .and_then(|p| p.parse().ok())
        .filter(|p| *p >= 1)
        .unwrap_or(1);
    let per_page: usize = req
        .query("per_page")
        .and_then(|p| p.parse().ok())
        .map_or(MAX_PER_PAGE as usize, |p: usize| {
            p.clamp(1, MAX_PER_PAGE as usize)
        });
    let start = (page - 1).saturating_mul(per_page);
    let slice: Vec<&Item> = items.iter().skip(start).take(per_page).copied().collect();
    let rendered: Vec<Value> = slice.iter().map(|i| store::render(i, &root)).collect();
    let hrefs: Vec<Value> = slice
        .iter()
        .map(|i| json!({"href": format!("{root}{}", i.path)}))
        .collect();
    let filter = req.query("filter");
    let link = |p: usize| {
        let mut u = Url::parse(&format!("{root}{path}")).unwrap_or_else(|_| req.url.clone());
        {
            let mut q = u.query_pairs_mut();
            q.append_pair("page", &p.to_string());
            q.append_pair("per_page", &per_page.to_string());
            if let Some(f) = &filter {
                q.append_pair("filter", f);
            }
        }
        json!({ "href": u.to_string() })
    };
    let mut links = Map::new();
    links.insert("self".into(), link(page));
    let total_pages = items.len().div_ceil(per_page);
    // Action Network's people collection keeps `next` on its last page and
    // drops it only on an empty page; the others stop at total_pages.
    let has_next = if people_style {
        !slice.is_empty()
    } else {
        page < total_pages
    };
    if has_next {
        links.insert("next".into(), link(page + 1));
    }
    if page > 1 {
        links.insert("previous".into(), link(page - 1));
    }
    links.insert(format!("osdi:{collection}"), Value::Array(hrefs));
    links.insert(
        "curies".into(),
        json!([{"name": "osdi", "href": "https://actionnetwork.org/docs/v2/{rel}", "templated": true},
               {"name": "action_network", "href": "https://actionnetwork.org/docs/v2/{rel}", "templated": true}]),
    );
    let mut body = Map::new();
    if !people_style {
        body.insert("total_pages".into(), json!(total_pages));
        body.insert("total_records".into(), json!(items.len()));
    }
    body.insert("per_page".into(), json!(per_page));
    body.insert("page".into(), json!(page));
    body.insert("_links".into(), Value::Object(links));
    body.insert(
        "_embedded".into(),
        json!({ format!("osdi:{collection}"): rendered }),
    );
    hal(200, &Value::Object(body))
}

fn list(req: &Request, path: &str, items: Vec<&Item>) -> Reply {
    let collection = path.rsplit('/').next().unwrap_or(path).to_string();
    // Tags ignore the filter, as on Action Network.
    let items = match req.query("filter").filter(|_| collection != "tags") {
        Some(f) => {
            let clauses = match parse_filter(&f) {
                Ok(c) => c,
                Err(e) => return error(400, &e),
            };
            let mut kept = Vec::new();
            for item in items {
                match matches(item, &clauses) {
                    Ok(true) => kept.push(item),
                    Ok(false) => {}
                    Err(e) => return error(400, &e),
                }
            }
            kept
        }
        None => items,
    };
    page_of(req, path, &collection, &items, collection == "people")
}

/// Action Network's 404 for a route the key does not offer, when the
/// request's route is withheld.
fn withheld(store: &Mutex<Store>, req: &Request) -> Option<Reply> {
    let path = req.url.path();
    lock(store)
        .withheld
        .iter()
        .any(|(m, template)| {
            m.eq_ignore_ascii_case(req.method.as_str())
                && canvass_core::routes::template_matches(template, path)
        })
        .then(|| error(404, &format!("Not found: {path}")))
}

fn handle_get(store: &Mutex<Store>, req: &Request) -> Reply {
    if let Some(r) = withheld(store, req) {
        return r;
    }
    let seg = segments(req);
    let root = root(req);
    let s = lock(store);
    let seg: Vec<&str> = seg.iter().map(String::as_str).collect();
    match seg.as_slice() {
        [] => hal(
            200,
            &json!({"motd": "Welcome to the Action Network simulator", "max_page_size": MAX_PER_PAGE, "vendor_name": "Action Network",
                    "product_name": "Action Network", "osdi_version": "1.1.1",
                    "_links": {"self": {"href": root}, "osdi:people": {"href": format!("{root}people")}, "osdi:tags": {"href": format!("{root}tags")}}}),
        ),
        ["metadata", "custom_fields"] => hal(
            200,
            &json!({"action_network:custom_fields": [{"name": "Employer", "created_date": "2024-01-01T00:00:00Z"}, {"name": "Shirt size", "created_date": "2024-01-01T00:00:00Z"}],
                    "_links": {"self": {"href": format!("{root}metadata/custom_fields")}}}),
        ),
        [coll] => match s.collections.get(*coll) {
            Some(items) => list(req, coll, items.iter().collect()),
            None => error(404, &format!("Unknown collection: {coll}")),
        },
        [coll, id] => match s.get(coll, id) {
            Some(item) => hal(200, &render(item, &root)),
            None => not_found(coll, id),
        },
        [
            "people",
            id,
            sub @ ("taggings" | "attendances" | "donations"),
        ] => {
            if s.get("people", id).is_none() {
                return not_found("people", id);
            }
            let sub = *sub;
            let view = s.person_view(id, |k| match sub {
                "taggings" => k.starts_with("tags/") && k.ends_with("/taggings"),
                "attendances" => k.starts_with("events/") && k.ends_with("/attendances"),
                _ => k == "donations",
            });
            list(req, &format!("people/{id}/{sub}"), view)
        }
        ["fundraising_pages", id, "donations"] => {
            if s.get("fundraising_pages", id).is_none() {
                return not_found("fundraising_pages", id);
            }
            let items: Vec<&Item> = s
                .collections
                .get("donations")
                .map(|d| {
                    d.iter()
                        .filter(|i| i.parent.as_deref() == Some(*id))
                        .collect()
                })
                .unwrap_or_default();
            list(req, &format!("fundraising_pages/{id}/donations"), items)
        }
        [coll, id, sub] => {
            if s.get(coll, id).is_none() {
                return not_found(coll, id);
            }
            let key = format!("{coll}/{id}/{sub}");
            let items = s
                .collections
                .get(&key)
                .map(|c| c.iter().collect())
                .unwrap_or_default();
            list(req, &key, items)
        }
        [coll, id, sub, item] => match s.get(&format!("{coll}/{id}/{sub}"), item) {
            Some(found) => hal(200, &render(found, &root)),
            None => not_found(sub, item),
        },
        _ => error(404, "Not found"),
    }
}

/// The signup helper's upsert: match by any email, then by any phone.
fn signup(
    s: &mut Store,
    person: &Map<String, Value>,
    add_tags: &[String],
) -> Result<(String, bool), Reply> {
    let list_of = |key: &str, field: &str| -> Vec<(String, Option<String>)> {
        person
            .get(key)
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|e| {
                        let v = e.get(field)?.as_str()?.trim().to_string();
                        (!v.is_empty()).then(|| {
                            (
                                v,
                                e.get("status").and_then(Value::as_str).map(str::to_string),
                            )
                        })
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let emails = list_of("email_addresses", "address");
    let phones = list_of("phone_numbers", "number");
    if emails.is_empty() && phones.is_empty() {
        return Err(error(400, "An email address or a phone number is required"));
    }
    let people = s
        .collections
        .get("people")
        .map(Vec::as_slice)
        .unwrap_or_default();
    let has = |item: &Item,
               list: &str,
               field: &str,
               key: &dyn Fn(&str) -> String,
               wanted: &[(String, Option<String>)]| {
        item.json
            .get(list)
            .and_then(Value::as_array)
            .is_some_and(|a| {
                a.iter()
                    .filter_map(|e| e.get(field).and_then(Value::as_str))
                    .any(|v| wanted.iter().any(|(w, _)| key(w) == key(v)))
            })
    };
    let existing = people
        .iter()
        .find(|i| has(i, "email_addresses", "address", &email_key, &emails))
        .or_else(|| {
            people
                .iter()
                .find(|i| has(i, "phone_numbers", "number", &phone_key, &phones))
        })
        .map(|i| i.id.clone());
    let now = s.now();
    let (id, created) = match existing {
        Some(id) => {
            s.people_matched += 1;
            let Some(item) = s.find_mut("people", &id) else {
                return Err(error(500, "person vanished"));
            };
            for key in ["given_name", "family_name"] {
                if let Some(v) = person.get(key).filter(|v| v.is_string()) {
                    item.json.insert(key.into(), v.clone());
                }
            }
            merge_contacts(
                &mut item.json,
                "email_addresses",
                "address",
                &emails,
                &email_key,
                None,
            );
            merge_contacts(
                &mut item.json,
                "phone_numbers",
                "number",
                &phones,
                &phone_key,
                None,
            );
            for key in ["postal_addresses", "languages_spoken"] {
                if let Some(v) = person
                    .get(key)
                    .filter(|v| v.as_array().is_some_and(|a| !a.is_empty()))
                {
                    item.json.insert(key.into(), v.clone());
                }
            }
            if let Some(Value::Object(cf)) = person.get("custom_fields") {
                let fields = item
                    .json
                    .entry("custom_fields")
                    .or_insert_with(|| json!({}));
                if let Some(f) = fields.as_object_mut() {
                    f.extend(cf.clone());
                }
            }
            item.json
                .insert("modified_date".into(), json!(store::stamp(now)));
            item.modified = now;
            (id, false)
        }
        None => {
            s.people_created += 1;
            let id = s.new_id();
            let mut body = Map::new();
            for key in [
                "given_name",
                "family_name",
                "postal_addresses",
                "languages_spoken",
                "custom_fields",
            ] {
                if let Some(v) = person.get(key) {
                    body.insert(key.into(), v.clone());
                }
            }
            merge_contacts(
                &mut body,
                "email_addresses",
                "address",
                &emails,
                &email_key,
                Some("subscribed"),
            );
            merge_contacts(
                &mut body,
                "phone_numbers",
                "number",
                &phones,
                &phone_key,
                Some("unsubscribed"),
            );
            let mut item = Item {
                id: id.clone(),
                path: format!("people/{id}"),
                modified: now,
                json: body,
                links: vec![
                    (
                        "osdi:attendances".into(),
                        format!("people/{id}/attendances"),
                    ),
                    ("osdi:taggings".into(), format!("people/{id}/taggings")),
                    ("osdi:donations".into(), format!("people/{id}/donations")),
                ],
                person: None,
                parent: None,
                raw: false,
            };
            item.json.insert(
                "identifiers".into(),
                json!([format!("action_network:{id}")]),
            );
            item.json
                .insert("created_date".into(), json!(store::stamp(now)));
            item.json
                .insert("modified_date".into(), json!(store::stamp(now)));
            s.collections.entry("people".into()).or_default().push(item);
            (id, true)
        }
    };
    for name in add_tags {
        let tag = s
            .collections
            .get("tags")
            .and_then(|t| {
                t.iter()
                    .find(|t| t.json.get("name").and_then(Value::as_str) == Some(name.as_str()))
            })
            .map(|t| t.id.clone());
        if let Some(tag) = tag {
            s.add_tagging(&tag, &id);
        }
    }
    Ok((id, created))
}

/// Adds new contact points and applies passed statuses; `default_status`
/// is the status of a new point with none (None keeps it unset when matching).
fn merge_contacts(
    body: &mut Map<String, Value>,
    list: &str,
    field: &str,
    incoming: &[(String, Option<String>)],
    key: &dyn Fn(&str) -> String,
    default_status: Option<&str>,
) {
    let entries = body.entry(list).or_insert_with(|| json!([]));
    let Some(entries) = entries.as_array_mut() else {
        return;
    };
    let new_default = default_status.unwrap_or(if list == "email_addresses" {
        "subscribed"
    } else {
        "unsubscribed"
    });
    for (value, status) in incoming {
        let found = entries.iter_mut().find(|e| {
            e.get(field)
                .and_then(Value::as_str)
                .is_some_and(|v| key(v) == key(value))
        });
        match found {
            Some(e) => {
                if let Some(st) = status {
                    e["status"] = json!(st);
                }
            }
            None => {
                let primary = entries.is_empty();
                entries.push(json!({ field: value, "primary": primary, "status": status.clone().unwrap_or_else(|| new_default.to_string()) }));
            }
        }
    }
}

fn handle_write(store: &Mutex<Store>, req: &Request) -> Reply {
    if let Some(r) = withheld(store, req) {
        return r;
    }
    let seg = segments(req);
    let seg: Vec<&str> = seg.iter().map(String::as_str).collect();
    let root = root(req);
    let background = req.query("background_processing").as_deref() == Some("true");
    let body = req.json_body();
    let mut s = lock(store);
    let reply = match (req.method.as_str(), seg.as_slice()) {
        ("POST", ["people"]) => {
            let Some(person) = body.get("person").and_then(Value::as_object) else {
                return error(400, "The request needs a `person` hash");
            };
            let tags: Vec<String> = body
                .get("add_tags")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|t| t.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default();
            match signup(&mut s, person, &tags) {
                Ok((id, created)) => match s.get("people", &id) {
                    Some(item) => hal(if created { 201 } else { 200 }, &render(item, &root)),
                    None => error(500, "person vanished"),
                },
                Err(r) => r,
            }
        }
        ("PUT", ["people", id]) => {
            let now = s.now();
            let Some(item) = s.find_mut("people", id) else {
                return not_found("people", id);
            };
            let Some(fields) = body.as_object() else {
                return error(400, "The request body must be a JSON object");
            };
            for (k, v) in fields {
                if ![
                    "identifiers",
                    "created_date",
                    "modified_date",
                    "_links",
                    "add_tags",
                ]
                .contains(&k.as_str())
                {
                    item.json.insert(k.clone(), v.clone());
                }
            }
            item.json
                .insert("modified_date".into(), json!(store::stamp(now)));
            item.modified = now;
            hal(200, &render(item, &root))
        }
        ("POST", ["tags"]) => {
            let Some(name) = body
                .get("name")
                .and_then(Value::as_str)
                .filter(|n| !n.trim().is_empty())
            else {
                return error(400, "A tag needs a name");
            };
            let existing = s
                .collections
                .get("tags")
                .and_then(|t| {
                    t.iter()
                        .find(|t| t.json.get("name").and_then(Value::as_str) == Some(name))
                })
                .cloned();
            match existing {
                Some(t) => hal(200, &render(&t, &root)),
                None => {
                    let id = s.new_id();
                    let now = s.now();
                    let mut item = Item {
                        id: id.clone(),
                        path: format!("tags/{id}"),
                        modified: now,
                        json: json!({"name": name, "identifiers": [format!("action_network:{id}")],
                                     "created_date": store::stamp(now), "modified_date": store::stamp(now)})
                        .as_object()
                        .cloned()
                        .unwrap_or_default(),
                        links: vec![],
                        person: None,
                        parent: None,
                        raw: false,
                    };
                    item.links = vec![("osdi:taggings".into(), format!("tags/{id}/taggings"))];
                    s.collections
                        .entry("tags".into())
                        .or_default()
                        .push(item.clone());
                    s.collections
                        .entry(format!("tags/{id}/taggings"))
                        .or_default();
                    hal(201, &render(&item, &root))
                }
            }
        }
        ("POST", ["tags", tag, "taggings"]) => {
            if s.get("tags", tag).is_none() {
                return not_found("tags", tag);
            }
            let Some(person) = link_target(&body, "osdi:person") else {
                return error(400, "A tagging needs an osdi:person link");
            };
            if s.get("people", &person).is_none() {
                return not_found("people", &person);
            }
            let (item, created) = s.add_tagging(tag, &person);
            hal(if created { 201 } else { 200 }, &render(&item, &root))
        }
        ("DELETE", ["tags", tag, "taggings", id]) => {
            let key = format!("tags/{tag}/taggings");
            let Some(items) = s.collections.get_mut(&key) else {
                return not_found("tags", tag);
            };
            let before = items.len();
            items.retain(|i| i.id != *id);
            if items.len() == before {
                return not_found("taggings", id);
            }
            hal(
                200,
                &json!({"notice": "This tagging was successfully deleted."}),
            )
        }
        ("POST", ["events", event, "attendances"]) => {
            if s.get("events", event).is_none() {
                return not_found("events", event);
            }
            let person = match (
                body.get("person").and_then(Value::as_object),
                link_target(&body, "osdi:person"),
            ) {
                (Some(p), _) => match signup(&mut s, p, &[]) {
                    Ok((id, _)) => id,
                    Err(r) => return r,
                },
                (None, Some(id)) if s.get("people", &id).is_some() => id,
                (None, Some(id)) => return not_found("people", &id),
                (None, None) => {
                    return error(
                        400,
                        "An attendance needs a person hash or an osdi:person link",
                    );
                }
            };
            let status = body
                .get("status")
                .and_then(Value::as_str)
                .unwrap_or("accepted")
                .to_string();
            let (item, created) = s.put_attendance(event, &person, &status);
            hal(if created { 201 } else { 200 }, &render(&item, &root))
        }
        _ => error(
            404,
            &format!("No such endpoint: {} {}", req.method, req.url.path()),
        ),
    };
    if background && reply.status < 300 {
        return Reply::json(200, &json!({}));
    }
    reply
}

impl ActionNetworkSim {
    /// The key the simulator accepts.
    pub const API_KEY: &'static str = "an-sim-key-5f1e2d3c4b";

    /// Starts a seeded simulator on a free loopback port, with no rate limit.
    pub async fn start(config: SimConfig) -> ActionNetworkSim {
        let sim = Sim::start().await;
        let store = Arc::new(Mutex::new(Store::seeded(&config)));
        sim.control().set_auth(AuthRule {
            check: Box::new(|req| req.header_str(API_KEY_HEADER).as_deref() == Some(Self::API_KEY)),
            // Action Network echoes the key it was sent; the client must scrub it.
            reject: Box::new(|req| {
                let sent = req.header_str(API_KEY_HEADER).unwrap_or_default();
                error(401, &format!("API Key invalid or not present: {sent}"))
            }),
        });
        let s = store.clone();
        sim.route(Route::get(r"^/api/v2(/.*)?$"), move |req| {
            handle_get(&s, req)
        })
        .await;
        for method in ["POST", "PUT", "DELETE"] {
            let s = store.clone();
            sim.route(Route::new(method, r"^/api/v2/.+$"), move |req| {
                handle_write(&s, req)
            })
            .await;
        }
        ActionNetworkSim { sim, store }
    }

    /// The API root (`http://127.0.0.1:<port>/api/v2/`).
    pub fn base_url(&self) -> Url {
        self.sim.url("/api/v2/")
    }

    /// The key the simulator accepts.
    pub fn api_key(&self) -> &'static str {
        Self::API_KEY
    }

    /// The switches and counters (faults, rate limit, request stats).
    pub fn control(&self) -> &Arc<SimControl> {
        self.sim.control()
    }

    /// Action Network's limit as the simulator enforces it: 4 requests per
    /// second for everything, a bucket of 4, 429 beyond.
    pub fn vendor_rate_limit() -> SimRateLimit {
        SimRateLimit::per_second(RATE_LIMIT_PER_SECOND)
    }

    /// Starts enforcing [`ActionNetworkSim::vendor_rate_limit`].
    pub fn enforce_rate_limit(&self) {
        self.control()
            .set_rate_limit(Some(Self::vendor_rate_limit()));
    }

    /// A client builder pointed at the simulator with its key and fast retries
    /// (the rate limit is Action Network's 4/s; override it for quick tests).
    pub fn client_builder(&self) -> ClientBuilder {
        ActionNetworkClient::builder(Self::API_KEY)
            .base_url(self.base_url())
            .retry(RetryPolicy::fast())
    }

    /// The ids of every record of `kind` a full read returns.
    pub fn ids(&self, kind: &EntityKind) -> BTreeSet<String> {
        let s = lock(&self.store);
        let of = |pred: &dyn Fn(&str) -> bool| -> BTreeSet<String> {
            s.collections
                .iter()
                .filter(|(k, _)| pred(k))
                .flat_map(|(_, v)| v.iter().map(|i| i.id.clone()))
                .collect()
        };
        match kind {
            EntityKind::People => of(&|k| k == "people"),
            EntityKind::Events => of(&|k| k == "events"),
            EntityKind::Tags => of(&|k| k == "tags"),
            EntityKind::Donations => of(&|k| k == "donations"),
            EntityKind::Taggings => of(&|k| k.starts_with("tags/") && k.ends_with("/taggings")),
            EntityKind::Attendances => {
                of(&|k| k.starts_with("events/") && k.ends_with("/attendances"))
            }
            EntityKind::Actions => of(&|k| {
                (k.starts_with("forms/") && k.ends_with("/submissions"))
                    || (k.starts_with("petitions/") && k.ends_with("/signatures"))
            }),
            _ => BTreeSet::new(),
        }
    }

    /// The ids of a top-level collection's items, in the order served
    /// (`"people"`, `"tags"`, `"events"`, `"forms"`, …).
    pub fn collection_ids(&self, collection: &str) -> Vec<String> {
        lock(&self.store)
            .collections
            .get(collection)
            .map(|c| c.iter().map(|i| i.id.clone()).collect())
            .unwrap_or_default()
    }

    /// Answers `method` on the path `template` (`{name}` for one segment,
    /// as in the crate's route table, e.g. `/api/v2/tags`) with a 404 from
    /// now on, as Action Network does for a key without the route.
    pub fn withhold(&self, method: &str, template: &str) {
        lock(&self.store)
            .withheld
            .push((method.to_string(), template.to_string()));
    }

    /// Changes `n` people (spread through the collection) now, as edits on
    /// Action Network would; returns their ids.
    pub fn touch_people(&self, n: usize) -> Vec<String> {
        lock(&self.store).touch_people(n)
    }

    /// Adds a recorded-shape item to a collection (`"people"`,
    /// `"events/{id}/attendances"`), served exactly as given; returns its id.
    pub fn insert_raw(&self, collection: &str, json: Value) -> String {
        lock(&self.store).insert_raw(collection, json)
    }

    /// A resource as stored (without `_links`), e.g. `("people", id)`.
    pub fn get(&self, collection: &str, id: &str) -> Option<Value> {
        lock(&self.store)
            .get(collection, id)
            .map(|i| Value::Object(i.json.clone()))
    }

    /// How many people the simulator holds.
    pub fn people_count(&self) -> usize {
        lock(&self.store)
            .collections
            .get("people")
            .map_or(0, Vec::len)
    }

    /// What the signup helper did so far.
    pub fn signups(&self) -> SignupCounts {
        let s = lock(&self.store);
        SignupCounts {
            created: s.people_created,
            matched: s.people_matched,
        }
    }

    /// The ids of the tags applied to a person.
    pub fn tags_of(&self, person_id: &str) -> BTreeSet<String> {
        lock(&self.store)
            .collections
            .iter()
            .filter(|(k, _)| k.starts_with("tags/") && k.ends_with("/taggings"))
            .filter(|(_, v)| v.iter().any(|i| i.person.as_deref() == Some(person_id)))
            .filter_map(|(k, _)| k.split('/').nth(1).map(str::to_string))
            .collect()
    }

    /// A person's RSVP status for an event, if any.
    pub fn rsvp(&self, event_id: &str, person_id: &str) -> Option<String> {
        lock(&self.store)
            .collections
            .get(&format!("events/{event_id}/attendances"))?
            .iter()
            .find(|i| i.person.as_deref() == Some(person_id))
            .and_then(|i| {
                i.json
                    .get("status")
                    .and_then(Value::as_str)
                    .map(str::to_string)
            })
    }
}
