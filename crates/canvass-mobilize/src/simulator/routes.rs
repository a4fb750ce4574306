//! The simulator's routes: what each Mobilize endpoint answers.

use std::sync::{Arc, Mutex, MutexGuard};

use canvass_testkit::Reply;
use canvass_testkit::sim::{RequestExt, Route, Sim};
use serde_json::{Value, json};
use wiremock::Request;

use super::data::{SimAttendance, SimEvent, SimPerson, SimTimeslot, State, email_key, unix_now};
use super::{SimOptions, envelope_error};

type Shared = Arc<Mutex<State>>;

fn lock(state: &Shared) -> MutexGuard<'_, State> {
    state.lock().unwrap_or_else(|p| p.into_inner())
}

/// A 400 naming a query parameter, in the shape the docs show.
fn param_error(field: &str, message: &str) -> Reply {
    Reply::json(400, &envelope_error(json!({ field: {"0": [message]} })))
}

fn not_found() -> Reply {
    Reply::json(404, &envelope_error(json!({"detail": "Not found."})))
}

fn forbidden(detail: &str) -> Reply {
    Reply::json(403, &envelope_error(json!({ "detail": detail })))
}

fn segments(req: &Request) -> Vec<String> {
    req.url
        .path()
        .split('/')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// Checks the organization in `/v1/organizations/:org/...`.
fn org_of(req: &Request, options: &SimOptions) -> Result<u64, Reply> {
    let seg = segments(req);
    let raw = seg.get(2).cloned().unwrap_or_default();
    let org: u64 = raw
        .parse()
        .map_err(|_| param_error("organization_id", "A valid integer is required."))?;
    if org != options.organization_id {
        return Err(not_found());
    }
    Ok(org)
}

/// Whether an optional-auth request is a member's (right key), the public
/// (no key), or refused (a wrong key is a 403 even on public endpoints).
fn member(req: &Request, options: &SimOptions) -> Result<bool, Reply> {
    match req.header_str("authorization") {
        None => Ok(false),
        Some(h) if h == format!("Bearer {}", options.api_key) => Ok(true),
        Some(_) => Err(forbidden("Invalid token.")),
    }
}

fn since(req: &Request) -> Result<Option<i64>, Reply> {
    match req.query("updated_since") {
        None => Ok(None),
        Some(s) => s
            .trim()
            .parse::<i64>()
            .map(Some)
            .map_err(|_| param_error("updated_since", "A valid integer is required.")),
    }
}

/// Parses `gte_123` / `lt_now` comparisons of parameter `name`.
fn comparisons(req: &Request, name: &str, now: i64) -> Result<Vec<(String, i64)>, Reply> {
    req.query_all(name)
        .into_iter()
        .map(|v| {
            let (op, at) = v
                .split_once('_')
                .ok_or_else(|| param_error(name, "Expected op_value, e.g. gte_1514764800."))?;
            if !matches!(op, "gte" | "gt" | "lte" | "lt") {
                return Err(param_error(name, "Unknown comparison operator."));
            }
            let at = if at == "now" {
                now
            } else {
                at.parse().map_err(|_| {
                    param_error(name, "A valid Unix timestamp or `now` is required.")
                })?
            };
            Ok((op.to_string(), at))
        })
        .collect()
}

fn holds(cmps: &[(String, i64)], value: Option<i64>) -> bool {
    cmps.iter().all(|(op, at)| match value {
        None => false,
        Some(v) => match op.as_str() {
            "gte" => v >= *at,
            "gt" => v > *at,
            "lte" => v <= *at,
            _ => v < *at,
        },
    })
}

/// One page of `ids` (sorted ascending) per `per_page` and `cursor` (or
/// `page`), in the envelope, with `next` carrying the cursor.
fn paged(
    req: &Request,
    base: &str,
    max_per_page: u32,
    ids: &[u64],
    render: impl Fn(u64) -> Value,
) -> Reply {
    let per_page = match req.query("per_page") {
        None => 25,
        Some(p) => match p.parse::<u32>() {
            Ok(n) if n > 0 => n.min(max_per_page),
            _ => return param_error("per_page", "A valid positive integer is required."),
        },
    } as usize;
    let start = match (req.query("cursor"), req.query("page")) {
        (Some(c), _) => {
            let Some(after) = c
                .strip_prefix('c')
                .and_then(|h| u64::from_str_radix(h, 16).ok())
            else {
                return param_error("cursor", "Invalid cursor");
            };
            ids.partition_point(|id| *id <= after)
        }
        (None, Some(p)) => match p.parse::<usize>() {
            Ok(n) if n > 0 => (n - 1) * per_page,
            _ => return param_error("page", "Invalid page."),
        },
        (None, None) => 0,
    };
    let slice = ids.get(start..).unwrap_or(&[]);
    let page: Vec<u64> = slice.iter().take(per_page).copied().collect();
    let link = |cursor: Option<String>| {
        let mut pairs: Vec<(String, String)> = req
            .url
            .query_pairs()
            .filter(|(k, _)| k != "cursor" && k != "page")
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        if let Some(c) = cursor {
            pairs.push(("cursor".into(), c));
        }
        let mut url = url::Url::parse(&format!("{base}{}", req.url.path())).ok()?;
        if !pairs.is_empty() {
            url.query_pairs_mut().extend_pairs(pairs);
        }
        Some(url.to_string())
    };
    let next = if slice.len() > per_page {
        page.last()
            .and_then(|last| link(Some(format!("c{last:x}"))))
    } else {
        None
    };
    let previous = if start > 0 { link(None) } else { None };
    let data: Vec<Value> = page.into_iter().map(render).collect();
    Reply::json(
        200,
        &json!({"data": data, "error": null, "count": ids.len(), "next": next, "previous": previous}),
    )
}

fn field_errors(errors: &serde_json::Map<String, Value>) -> Option<Reply> {
    (!errors.is_empty()).then(|| Reply::json(400, &envelope_error(Value::Object(errors.clone()))))
}

/// Validates an event write body; the timeslots it asks for.
fn event_from_body(
    body: &Value,
    id: u64,
    existing: Option<&SimEvent>,
    next_slot: &mut u64,
) -> Result<SimEvent, Reply> {
    let mut errors = serde_json::Map::new();
    let text = |k: &str| body.get(k).and_then(Value::as_str).map(str::to_string);
    for k in [
        "title",
        "description",
        "timezone",
        "event_type",
        "visibility",
    ] {
        if text(k).is_none_or(|s| s.trim().is_empty()) {
            errors.insert(k.into(), json!(["This field is required."]));
        }
    }
    if text("event_type").as_deref() == Some("ADVOCACY_CALL") {
        errors.insert(
            "event_type".into(),
            json!(["ADVOCACY_CALL events cannot be created through the API."]),
        );
    }
    if body.get("contact").is_none_or(Value::is_null) {
        errors.insert("contact".into(), json!(["This field is required."]));
    }
    let location = body.get("location").cloned().unwrap_or(Value::Null);
    if location
        .get("postal_code")
        .and_then(Value::as_str)
        .is_none_or(|z| z.trim().is_empty())
    {
        errors.insert(
            "location".into(),
            json!({"postal_code": ["This field is required."]}),
        );
    }
    let mut timeslots = Vec::new();
    match body.get("timeslots").and_then(Value::as_array) {
        Some(slots) if !slots.is_empty() => {
            for (i, s) in slots.iter().enumerate() {
                let start = s.get("start_date").and_then(Value::as_i64);
                let end = s.get("end_date").and_then(Value::as_i64);
                match (start, end) {
                    (Some(start), Some(end)) if end > start => {
                        let keep = s.get("id").and_then(Value::as_u64).filter(|id| {
                            existing.is_some_and(|e| e.timeslots.iter().any(|t| t.id == *id))
                        });
                        let id = keep.unwrap_or_else(|| {
                            *next_slot += 1;
                            *next_slot - 1
                        });
                        timeslots.push(SimTimeslot {
                            id,
                            start,
                            end: Some(end),
                            max_attendees: None,
                        });
                    }
                    _ => {
                        errors.insert("timeslots".into(), json!({ i.to_string(): ["start_date and end_date must be Unix timestamps, end after start."] }));
                    }
                }
            }
        }
        _ => {
            errors.insert("timeslots".into(), json!(["This field is required."]));
        }
    }
    if let Some(r) = field_errors(&errors) {
        return Err(r);
    }
    let now = unix_now();
    Ok(SimEvent {
        id,
        title: text("title").unwrap_or_default(),
        summary: text("summary").unwrap_or_default(),
        description: text("description").unwrap_or_default(),
        timezone: text("timezone").unwrap_or_default(),
        event_type: text("event_type").unwrap_or_default(),
        visibility: text("visibility").unwrap_or_default(),
        location: Some(location),
        timeslots,
        tags: body
            .get("tag_ids")
            .and_then(Value::as_array)
            .map(|ids| ids.iter().filter_map(Value::as_u64).collect())
            .unwrap_or_default(),
        contact: body.get("contact").cloned().unwrap_or(Value::Null),
        created: existing.map_or(now, |e| e.created),
        modified: now,
        high_priority: false,
    })
}

fn signup(st: &mut State, event_id: u64, body: &Value) -> Reply {
    let now = unix_now();
    let mut errors = serde_json::Map::new();
    let Some(event) = st.events.get(&event_id).cloned() else {
        return Reply::json(
            400,
            &envelope_error(json!({"event_id": ["Invalid event."]})),
        );
    };
    let person = body.get("person").cloned().unwrap_or(Value::Null);
    let field = |k: &str| {
        person
            .get(k)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let mut person_errors = serde_json::Map::new();
    for k in ["given_name", "family_name", "email_address", "postal_code"] {
        if field(k).is_none() {
            person_errors.insert(k.into(), json!(["This field is required."]));
        }
    }
    if !person_errors.is_empty() {
        errors.insert("person".into(), Value::Object(person_errors));
    }
    let mut slots = Vec::new();
    match body.get("timeslots").and_then(Value::as_array) {
        Some(list) if !list.is_empty() => {
            for (i, t) in list.iter().enumerate() {
                let id = t.get("timeslot_id").and_then(Value::as_u64);
                match id.and_then(|id| event.timeslots.iter().find(|s| s.id == id)) {
                    Some(s) if s.start > now => slots.push(s.id),
                    Some(_) => {
                        errors.insert("timeslots".into(), json!({ i.to_string(): {"timeslot_id": ["Timeslot has already started."]} }));
                    }
                    None => {
                        errors.insert("timeslots".into(), json!({ i.to_string(): {"timeslot_id": ["Invalid timeslot for this event."]} }));
                    }
                }
            }
        }
        _ => {
            errors.insert("timeslots".into(), json!(["This field is required."]));
        }
    }
    if let Some(r) = field_errors(&errors) {
        return r;
    }
    let email = field("email_address").unwrap_or_default();
    let person_id = match st.by_email.get(&email_key(&email)).copied() {
        Some(id) => {
            st.writes.people_matched += 1;
            if let Some(p) = st.people.get_mut(&id) {
                p.given = field("given_name").unwrap_or_default();
                p.family = field("family_name").unwrap_or_default();
                if let Some(phone) = field("phone_number") {
                    p.phone = Some(phone);
                }
                p.zip = field("postal_code").unwrap_or_default();
                if body.get("sms_opt_in_status").and_then(Value::as_str) == Some("OPT_IN") {
                    p.sms = "OPT_IN";
                }
                p.modified = now;
            }
            id
        }
        None => {
            st.writes.people_created += 1;
            let id = st.next_person;
            st.next_person += 1;
            st.by_email.insert(email_key(&email), id);
            st.people.insert(
                id,
                SimPerson {
                    id,
                    created: now,
                    modified: now,
                    given: field("given_name").unwrap_or_default(),
                    family: field("family_name").unwrap_or_default(),
                    email,
                    phone: field("phone_number"),
                    zip: field("postal_code").unwrap_or_default(),
                    sms: if body.get("sms_opt_in_status").and_then(Value::as_str) == Some("OPT_IN")
                    {
                        "OPT_IN"
                    } else {
                        "UNSPECIFIED"
                    },
                    blocked: None,
                },
            );
            id
        }
    };
    let mut created = Vec::new();
    for slot in slots {
        let existing = st
            .attendances
            .values()
            .find(|a| a.person == person_id && a.timeslot == slot)
            .map(|a| a.id);
        let id = match existing {
            Some(id) => {
                st.writes.attendances_matched += 1;
                if let Some(a) = st.attendances.get_mut(&id) {
                    a.status = "REGISTERED";
                    a.modified = now;
                }
                id
            }
            None => {
                st.writes.attendances_created += 1;
                let id = st.next_attendance;
                st.next_attendance += 1;
                st.attendances.insert(
                    id,
                    SimAttendance {
                        id,
                        person: person_id,
                        event: event_id,
                        timeslot: slot,
                        status: "REGISTERED",
                        attended: None,
                        created: now,
                        modified: now,
                        referrer: body.get("referrer").cloned().filter(|r| !r.is_null()),
                        custom: None,
                        omit_id: false,
                    },
                );
                id
            }
        };
        created.push(id);
    }
    let data: Vec<Value> = created
        .iter()
        .filter_map(|id| st.attendances.get(id))
        .map(|a| st.attendance_json(a, now))
        .collect();
    Reply::json(201, &json!({"data": data, "error": null}))
}

/// Mounts `handler` on `route`; while [`State::withheld`] names the
/// request's route, Mobilize's 404 answers instead (an account that does
/// not offer it).
async fn mount_one<H>(sim: &Sim, state: &Shared, route: Route, handler: H)
where
    H: Fn(&Request) -> Reply + Send + Sync + 'static,
{
    let state = state.clone();
    sim.route(route, move |req| {
        if lock(&state).withholds(req.method.as_str(), req.url.path()) {
            return not_found();
        }
        handler(req)
    })
    .await;
}

/// Mounts every route.
pub(crate) async fn mount(sim: &Sim, state: Shared, options: SimOptions) {
    let base = sim.uri();
    let shared = state.clone();

    // GET /organizations (public).
    {
        let (state, options, base) = (state.clone(), options.clone(), base.clone());
        mount_one(
            sim,
            &shared,
            Route::get(r"^/v1/organizations/?$").public(),
            move |req| {
                if let Err(r) = member(req, &options) {
                    return r;
                }
                let st = lock(&state);
                let since = match since(req) {
                    Ok(s) => s,
                    Err(r) => return r,
                };
                let orgs = [options.organization_id, options.promoted_organization_id];
                let ids: Vec<u64> = orgs
                    .into_iter()
                    .filter(|_| since.is_none_or(|s| super::data::SEED_BASE - 10_000_000 >= s))
                    .collect();
                paged(req, &base, options.max_per_page, &ids, |id| st.org_json(id))
            },
        )
        .await;
    }

    // GET /organizations/:org/promoted_organizations (key).
    {
        let (state, options, base) = (state.clone(), options.clone(), base.clone());
        mount_one(
            sim,
            &shared,
            Route::get(r"^/v1/organizations/[^/]+/promoted_organizations/?$"),
            move |req| {
                if let Err(r) = org_of(req, &options) {
                    return r;
                }
                let st = lock(&state);
                paged(
                    req,
                    &base,
                    options.max_per_page,
                    &[options.promoted_organization_id],
                    |id| st.org_json(id),
                )
            },
        )
        .await;
    }

    // GET /organizations/:org/events (key optional).
    {
        let (state, options, base) = (state.clone(), options.clone(), base.clone());
        mount_one(
            sim,
            &shared,
            Route::get(r"^/v1/organizations/[^/]+/events/?$").public(),
            move |req| {
                let authed = match member(req, &options) {
                    Ok(m) => m,
                    Err(r) => return r,
                };
                if let Err(r) = org_of(req, &options) {
                    return r;
                }
                let now = unix_now();
                let (since, starts, ends) = match (
                    since(req),
                    comparisons(req, "timeslot_start", now),
                    comparisons(req, "timeslot_end", now),
                ) {
                    (Ok(a), Ok(b), Ok(c)) => (a, b, c),
                    (Err(r), _, _) | (_, Err(r), _) | (_, _, Err(r)) => return r,
                };
                let visibility = req.query("visibility").unwrap_or_else(|| "PUBLIC".into());
                if visibility != "PUBLIC" && visibility != "PRIVATE" {
                    return param_error("visibility", "Must be PUBLIC or PRIVATE.");
                }
                let types = req.query_all("event_types");
                let tag_ids: Vec<u64> = req
                    .query_all("tag_id")
                    .iter()
                    .filter_map(|t| t.parse().ok())
                    .collect();
                let is_virtual = req.query("is_virtual").map(|v| v == "true");
                let zipcode = req.query("zipcode");
                let exclude_full = req.query("exclude_full").is_some_and(|v| v == "true");
                let st = lock(&state);
                let mut slots_of: std::collections::HashMap<u64, Vec<u64>> =
                    std::collections::HashMap::new();
                let ids: Vec<u64> = st
                    .events
                    .values()
                    .filter(|e| e.visibility == visibility)
                    // Without a key, private events are never returned ("no events").
                    .filter(|e| authed || e.visibility == "PUBLIC")
                    .filter(|e| since.is_none_or(|s| e.modified >= s))
                    .filter(|e| types.is_empty() || types.contains(&e.event_type))
                    .filter(|e| tag_ids.is_empty() || e.tags.iter().any(|t| tag_ids.contains(t)))
                    .filter(|e| is_virtual.is_none_or(|v| v == e.location.is_none()))
                    .filter(|e| {
                        zipcode.as_ref().is_none_or(|z| {
                            e.location
                                .as_ref()
                                .and_then(|l| l.get("postal_code"))
                                .and_then(Value::as_str)
                                == Some(z.as_str())
                        })
                    })
                    .filter_map(|e| {
                        if starts.is_empty() && ends.is_empty() && !exclude_full {
                            return Some(e.id);
                        }
                        let kept: Vec<u64> = e
                            .timeslots
                            .iter()
                            .filter(|t| {
                                holds(&starts, Some(t.start))
                                    && (ends.is_empty() || holds(&ends, t.end))
                            })
                            .filter(|t| !exclude_full || t.max_attendees.is_none())
                            .map(|t| t.id)
                            .collect();
                        if kept.is_empty() {
                            return None;
                        }
                        slots_of.insert(e.id, kept);
                        Some(e.id)
                    })
                    .collect();
                let mut reply = paged(req, &base, options.max_per_page, &ids, |id| {
                    st.events.get(&id).map_or(Value::Null, |e| {
                        st.event_json(e, authed, slots_of.get(&id).map(Vec::as_slice), now)
                    })
                });
                // Search-backed queries say how far results go.
                if (zipcode.is_some() || exclude_full || !tag_ids.is_empty())
                    && let Ok(mut v) = serde_json::from_slice::<Value>(&reply.body)
                {
                    v["results_limited_to"] = json!(1000);
                    reply = Reply::json(200, &v);
                }
                reply
            },
        )
        .await;
    }

    // GET /organizations/:org/events/deleted (key optional).
    {
        let (state, options, base) = (state.clone(), options.clone(), base.clone());
        mount_one(
            sim,
            &shared,
            Route::get(r"^/v1/organizations/[^/]+/events/deleted/?$").public(),
            move |req| {
                if let Err(r) = member(req, &options).and_then(|_| org_of(req, &options)) {
                    return r;
                }
                let since = match since(req) {
                    Ok(s) => s,
                    Err(r) => return r,
                };
                let st = lock(&state);
                let ids: Vec<u64> = st
                    .deleted
                    .iter()
                    .filter(|(_, at)| since.is_none_or(|s| **at >= s))
                    .map(|(id, _)| *id)
                    .collect();
                paged(
                    req,
                    &base,
                    options.max_per_page,
                    &ids,
                    |id| json!({"id": id, "deleted_date": st.deleted.get(&id)}),
                )
            },
        )
        .await;
    }

    // GET /organizations/:org/events/:id and GET /events/:id (key optional).
    for (pattern, org_scoped) in [
        (r"^/v1/organizations/[^/]+/events/\d+/?$", true),
        (r"^/v1/events/\d+/?$", false),
    ] {
        let (state, options) = (state.clone(), options.clone());
        mount_one(sim, &shared, Route::get(pattern).public(), move |req| {
            let authed = match member(req, &options) {
                Ok(m) => m,
                Err(r) => return r,
            };
            if org_scoped && let Err(r) = org_of(req, &options) {
                return r;
            }
            let seg = segments(req);
            let id: u64 = seg.last().and_then(|s| s.parse().ok()).unwrap_or_default();
            let st = lock(&state);
            match st.events.get(&id) {
                // The public endpoint 404s for private events; so does the
                // organization endpoint without a key.
                Some(e) if e.visibility == "PUBLIC" || (org_scoped && authed) => Reply::json(
                    200,
                    &json!({"data": st.event_json(e, authed, None, unix_now()), "error": null}),
                ),
                _ => not_found(),
            }
        })
        .await;
    }

    // POST /organizations/:org/events (key).
    {
        let (state, options) = (state.clone(), options.clone());
        mount_one(sim, &shared, Route::post(r"^/v1/organizations/[^/]+/events/?$"), move |req| {
            if let Err(r) = org_of(req, &options) {
                return r;
            }
            let mut st = lock(&state);
            let id = st.next_event;
            let mut next_slot = st.next_timeslot;
            match event_from_body(&req.json_body(), id, None, &mut next_slot) {
                Ok(e) => {
                    st.next_event += 1;
                    st.next_timeslot = next_slot;
                    st.writes.events_created += 1;
                    let body = json!({"data": st.event_json(&e, true, None, unix_now()), "error": null});
                    st.events.insert(id, e);
                    Reply::json(201, &body)
                }
                Err(r) => r,
            }
        })
        .await;
    }

    // PUT and DELETE /organizations/:org/events/:id (key).
    {
        let (state, options) = (state.clone(), options.clone());
        mount_one(sim, &shared, Route::put(r"^/v1/organizations/[^/]+/events/\d+/?$"), move |req| {
            if let Err(r) = org_of(req, &options) {
                return r;
            }
            let id: u64 = segments(req).last().and_then(|s| s.parse().ok()).unwrap_or_default();
            let mut st = lock(&state);
            let Some(existing) = st.events.get(&id).cloned() else {
                return not_found();
            };
            let mut next_slot = st.next_timeslot;
            match event_from_body(&req.json_body(), id, Some(&existing), &mut next_slot) {
                Ok(e) => {
                    st.next_timeslot = next_slot;
                    st.writes.events_updated += 1;
                    let body = json!({"data": st.event_json(&e, true, None, unix_now()), "error": null});
                    st.events.insert(id, e);
                    Reply::json(200, &body)
                }
                Err(r) => r,
            }
        })
        .await;
    }
    {
        let (state, options) = (state.clone(), options.clone());
        mount_one(
            sim,
            &shared,
            Route::delete(r"^/v1/organizations/[^/]+/events/\d+/?$"),
            move |req| {
                if let Err(r) = org_of(req, &options) {
                    return r;
                }
                let id: u64 = segments(req)
                    .last()
                    .and_then(|s| s.parse().ok())
                    .unwrap_or_default();
                let mut st = lock(&state);
                if st.events.remove(&id).is_none() {
                    return not_found();
                }
                st.deleted.insert(id, unix_now());
                st.writes.events_deleted += 1;
                Reply::json(200, &json!({"data": null, "error": null}))
            },
        )
        .await;
    }

    // GET /organizations/:org/people (key).
    {
        let (state, options, base) = (state.clone(), options.clone(), base.clone());
        mount_one(
            sim,
            &shared,
            Route::get(r"^/v1/organizations/[^/]+/people/?$"),
            move |req| {
                if let Err(r) = org_of(req, &options) {
                    return r;
                }
                let since = match since(req) {
                    Ok(s) => s,
                    Err(r) => return r,
                };
                let st = lock(&state);
                let ids: Vec<u64> = st
                    .people
                    .values()
                    .filter(|p| since.is_none_or(|s| p.modified >= s))
                    .map(|p| p.id)
                    .collect();
                paged(req, &base, options.max_per_page, &ids, |id| {
                    st.people
                        .get(&id)
                        .map_or(Value::Null, |p| st.person_json(p))
                })
            },
        )
        .await;
    }

    // GET /organizations/:org/attendances and …/events/:id/attendances (key).
    for (pattern, per_event) in [
        (r"^/v1/organizations/[^/]+/attendances/?$", false),
        (r"^/v1/organizations/[^/]+/events/\d+/attendances/?$", true),
    ] {
        let (state, options, base) = (state.clone(), options.clone(), base.clone());
        mount_one(sim, &shared, Route::get(pattern), move |req| {
            if let Err(r) = org_of(req, &options) {
                return r;
            }
            let since = match since(req) {
                Ok(s) => s,
                Err(r) => return r,
            };
            let event: Option<u64> = per_event.then(|| {
                segments(req)
                    .get(4)
                    .and_then(|s| s.parse().ok())
                    .unwrap_or_default()
            });
            let st = lock(&state);
            if let Some(e) = event
                && !st.events.contains_key(&e)
            {
                return not_found();
            }
            let now = unix_now();
            let ids: Vec<u64> = st
                .attendances
                .values()
                .filter(|a| event.is_none_or(|e| a.event == e))
                .filter(|a| since.is_none_or(|s| a.modified >= s))
                .map(|a| a.id)
                .collect();
            paged(req, &base, options.max_per_page, &ids, |id| {
                st.attendances
                    .get(&id)
                    .map_or(Value::Null, |a| st.attendance_json(a, now))
            })
        })
        .await;
    }

    // POST /organizations/:org/events/:id/attendances (key).
    {
        let (state, options) = (state.clone(), options.clone());
        mount_one(
            sim,
            &shared,
            Route::post(r"^/v1/organizations/[^/]+/events/\d+/attendances/?$"),
            move |req| {
                if let Err(r) = org_of(req, &options) {
                    return r;
                }
                let event: u64 = segments(req)
                    .get(4)
                    .and_then(|s| s.parse().ok())
                    .unwrap_or_default();
                let mut st = lock(&state);
                signup(&mut st, event, &req.json_body())
            },
        )
        .await;
    }
}
