//! The simulator's routes: token endpoint, auth rule, lists, lead writes.

use std::time::Instant;

use canvass_testkit::Reply;
use canvass_testkit::sim::{AuthRule, RequestExt, Route, SharedState, Sim};
use serde::Serialize;
use serde_json::{Value, json};
use wiremock::Request;

use super::{BLOCK_AFTER_FAILURES, CLIENT_ID, CLIENT_SECRET, State};

type Shared = SharedState<State>;

/// Hustle's error body.
pub(crate) fn error(status: u16, message: &str, hustle_code: Option<&str>) -> Reply {
    let mut body = json!({"code": status, "message": message});
    if let Some(c) = hustle_code {
        body["hustleErrorCode"] = json!(c);
    }
    Reply::json(status, &body)
}

fn bearer(req: &Request) -> Option<String> {
    req.header_str("authorization")
        .and_then(|h| h.strip_prefix("Bearer ").map(str::to_string))
}

pub(crate) async fn mount(sim: &Sim, state: Shared) {
    let check_state = state.clone();
    sim.control().set_auth(AuthRule {
        check: Box::new(move |req| {
            let s = check_state.lock();
            !s.reject_tokens
                && bearer(req)
                    .and_then(|t| s.tokens.get(&t).copied())
                    .is_some_and(|exp| exp > Instant::now())
        }),
        reject: Box::new(|_| error(401, "Unauthorized: invalid or expired access token", None)),
    });

    let s = state.clone();
    sim.route(Route::post(r"^/v3/oauth/token$").public(), move |req| {
        token(&s, req)
    })
    .await;

    for (path, kind) in [
        ("organizations", Kind::Organizations),
        ("groups", Kind::Groups),
        ("agents", Kind::Agents),
        ("tags", Kind::Tags),
        ("custom_fields", Kind::CustomFields),
    ] {
        serve(
            sim,
            &state,
            Route::get(&format!("^/v3/{path}$")),
            move |s, req| list_directory(s, req, kind),
        )
        .await;
        if kind != Kind::Organizations {
            serve(
                sim,
                &state,
                Route::post(&format!("^/v3/{path}$")),
                move |s, req| create(s, req, kind),
            )
            .await;
        }
    }
    serve(sim, &state, Route::put(r"^/v3/agents/[^/]+$"), update_agent).await;
    serve(sim, &state, Route::get(r"^/v3/leads$"), list_leads).await;
    serve(sim, &state, Route::post(r"^/v3/leads$"), upsert_lead).await;
    serve(sim, &state, Route::patch(r"^/v3/leads$"), patch_lead).await;
    serve(sim, &state, Route::get(r"^/v3/messages$"), list_messages).await;
    serve(
        sim,
        &state,
        Route::get(r"^/v3/messages/[^/]+$"),
        get_message,
    )
    .await;
}

/// Mounts `handler` on `route`, answering 404 instead while the request's
/// `METHOD /path` is withheld (an account that does not offer it).
async fn serve<H>(sim: &Sim, state: &Shared, route: Route, handler: H)
where
    H: Fn(&Shared, &Request) -> Reply + Send + Sync + 'static,
{
    let s = state.clone();
    sim.route(route, move |req| {
        let key = format!("{} {}", req.method, req.url.path());
        if s.lock().withheld.contains(&key) {
            return error(404, "Not Found", None);
        }
        handler(&s, req)
    })
    .await;
}

fn token(state: &Shared, req: &Request) -> Reply {
    let body = req.json_body();
    let mut s = state.lock();
    s.token_stats.requests += 1;
    if s.token_stats.blocked {
        s.token_stats.refused += 1;
        return error(
            403,
            "Too many failed authentication attempts; this IP address is blocked",
            None,
        );
    }
    let ok = body["grant_type"] == "client_credentials"
        && body["client_id"] == CLIENT_ID
        && body["client_secret"] == CLIENT_SECRET;
    if !ok {
        s.token_stats.refused += 1;
        s.failures += 1;
        if s.failures >= BLOCK_AFTER_FAILURES {
            s.token_stats.blocked = true;
        }
        return error(401, "Invalid client credentials", None);
    }
    s.token_counter += 1;
    s.token_stats.issued += 1;
    let token = format!(
        "eyJhbGciOiJIUzI1NiJ9.sim{:08x}.{:x}",
        s.token_counter,
        s.token_counter.wrapping_mul(0x2545_F491_4F6C_DD1D)
    );
    let ttl = s.token_ttl;
    s.tokens.insert(token.clone(), Instant::now() + ttl);
    Reply::json(
        200,
        &json!({
            "access_token": token,
            "scope": "read:account write:account",
            "expires_in": ttl.as_secs(),
            "token_type": "Bearer",
        }),
    )
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Organizations,
    Groups,
    Agents,
    Tags,
    CustomFields,
}

fn directory(state: &mut State, kind: Kind) -> &mut Vec<Value> {
    match kind {
        Kind::Organizations => &mut state.organizations,
        Kind::Groups => &mut state.groups,
        Kind::Agents => &mut state.agents,
        Kind::Tags => &mut state.tags,
        Kind::CustomFields => &mut state.custom_fields,
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Envelope<'a> {
    items: Vec<&'a Value>,
    cursor: Option<String>,
    has_more: bool,
}

/// Pages `items` (those `keep` accepts) by the request's `cursor` and `limit`.
fn page(req: &Request, items: &[Value], keep: impl Fn(&Value) -> bool) -> Reply {
    let limit = match req.query("limit") {
        None => 100,
        Some(l) => match l.parse::<usize>() {
            Ok(n) if (1..=1000).contains(&n) => n,
            _ => return error(400, "\"limit\" must be a number between 1 and 1000", None),
        },
    };
    let offset = match req.query("cursor") {
        None => 0,
        Some(c) => match c
            .strip_prefix("cur_")
            .and_then(|o| usize::from_str_radix(o, 16).ok())
        {
            Some(o) => o,
            None => return error(400, "Invalid cursor", None),
        },
    };
    let mut window: Vec<&Value> = items
        .iter()
        .filter(|v| keep(v))
        .skip(offset)
        .take(limit + 1)
        .collect();
    let has_more = window.len() > limit;
    window.truncate(limit);
    let cursor = if window.is_empty() {
        None
    } else {
        Some(format!("cur_{:x}", offset + window.len()))
    };
    let body = Envelope {
        items: window,
        cursor,
        has_more,
    };
    match serde_json::to_vec(&body) {
        Ok(bytes) => Reply::bytes(200, bytes, "application/json"),
        Err(e) => error(500, &e.to_string(), None),
    }
}

fn eq(v: &Value, field: &str, wanted: &Option<String>) -> bool {
    wanted
        .as_deref()
        .is_none_or(|w| v[field].as_str() == Some(w))
}

fn list_directory(state: &Shared, req: &Request, kind: Kind) -> Reply {
    let org = req.query("organizationId");
    let mut s = state.lock();
    let items = directory(&mut s, kind);
    page(req, items, |v| {
        kind == Kind::Organizations || eq(v, "organizationId", &org)
    })
}

fn create(state: &Shared, req: &Request, kind: Kind) -> Reply {
    let body = req.json_body();
    let Some(name) = body["name"].as_str().filter(|n| !n.trim().is_empty()) else {
        return error(400, "\"name\" is required", None);
    };
    let name = name.to_string();
    let mut s = state.lock();
    if kind == Kind::Agents {
        // The file's `POST /agents` body: name, fullName, email, groupId,
        // and nothing else (`additionalProperties: false`).
        if let Some(refused) = not_allowed(&body, &["name", "fullName", "email", "groupId"]) {
            return refused;
        }
        if !s.groups.iter().any(|g| g["id"] == body["groupId"]) {
            return error(422, "Unknown groupId", Some("GROUP_NOT_FOUND"));
        }
    } else if !s
        .organizations
        .iter()
        .any(|o| o["id"] == body["organizationId"])
    {
        return error(
            422,
            "Unknown organizationId",
            Some("ORGANIZATION_NOT_FOUND"),
        );
    }
    let prefix = match kind {
        Kind::Groups => "grp",
        Kind::Agents => "agt",
        Kind::Tags => "tag",
        _ => "cf",
    };
    let id = s.new_id(prefix);
    let mut obj = body.clone();
    obj["id"] = json!(id);
    obj["name"] = json!(name);
    // `type` values, and the answers below, as Hustle's v3 OpenAPI file
    // documents them (`components.schemas`, `paths./{kind}.post`).
    obj["type"] = json!(match kind {
        Kind::Groups => "group",
        Kind::Agents => "agent",
        Kind::Tags => "tag",
        _ => "custom_field",
    });
    obj["createdAt"] = json!(
        chrono::Utc::now()
            .format("%Y-%m-%dT%H:%M:%S%.3fZ")
            .to_string()
    );
    match kind {
        Kind::Tags if obj["agentVisibility"].is_null() => {
            obj["agentVisibility"] = json!("LEAD_PROFILES");
        }
        Kind::CustomFields if obj["agentVisible"].is_null() => obj["agentVisible"] = json!(true),
        Kind::Groups => {
            for (field, default) in [
                ("countryCode", json!("US")),
                ("active", json!(true)),
                ("timezone", json!("America/New_York")),
            ] {
                if obj[field].is_null() {
                    obj[field] = default;
                }
            }
        }
        Kind::Agents => {
            // An agent belongs to a group; its organization is the group's.
            if let Some(o) = obj.as_object_mut() {
                o.remove("email");
            }
            if obj["fullName"].is_null() {
                obj["fullName"] = json!(name);
            }
            obj["organizationId"] = json!(super::ORGANIZATION_ID);
        }
        _ => {}
    }
    s.writes.created += 1;
    directory(&mut s, kind).push(obj.clone());
    match kind {
        // `POST /tags` answers 201 with a list envelope holding the tag.
        Kind::Tags => Reply::json(
            201,
            &json!({"items": [obj], "cursor": null, "hasMore": false}),
        ),
        Kind::CustomFields => Reply::json(201, &obj),
        _ => Reply::json(200, &obj),
    }
}

/// A 400 naming the first field of `body` not in `allowed`, as a server
/// checking the file's `additionalProperties: false` answers.
fn not_allowed(body: &Value, allowed: &[&str]) -> Option<Reply> {
    let extra = body
        .as_object()?
        .keys()
        .find(|k| !allowed.contains(&k.as_str()))?;
    Some(error(400, &format!("\"{extra}\" is not allowed"), None))
}

fn update_agent(state: &Shared, req: &Request) -> Reply {
    let id = req
        .url
        .path()
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_string();
    let body = req.json_body();
    // The file's `PUT /agents/{id}` body: name, fullName, sendInvite.
    if let Some(refused) = not_allowed(&body, &["name", "fullName", "sendInvite"]) {
        return refused;
    }
    let mut s = state.lock();
    let Some(agent) = s.agents.iter_mut().find(|a| a["id"] == id.as_str()) else {
        return error(404, "Agent not found", None);
    };
    if let (Some(obj), Some(new)) = (agent.as_object_mut(), body.as_object()) {
        for (k, v) in new {
            if k != "id" && k != "type" && k != "sendInvite" {
                obj.insert(k.clone(), v.clone());
            }
        }
    }
    let out = agent.clone();
    s.writes.created += 1;
    Reply::json(200, &out)
}

fn list_leads(state: &Shared, req: &Request) -> Reply {
    let id = req.query("id");
    let phone = req.query("phoneNumber");
    let org = req.query("organizationId");
    let group = req.query("groupId");
    let status = req
        .query("leadStatusInGroup")
        .unwrap_or_else(|| "active".into());
    if let Some(p) = &phone
        && !valid_phone(p)
    {
        return error(400, "\"phoneNumber\" must be in E.164 format", None);
    }
    if !matches!(status.as_str(), "active" | "inactive" | "all") {
        return error(
            400,
            "\"leadStatusInGroup\" must be one of active, inactive, all",
            None,
        );
    }
    let s = state.lock();
    page(req, &s.leads, |v| {
        let in_group = |field: &str, g: &str| {
            v[field]
                .as_array()
                .is_some_and(|a| a.iter().any(|x| x == g))
        };
        eq(v, "id", &id)
            && eq(v, "phoneNumber", &phone)
            && eq(v, "organizationId", &org)
            && group.as_deref().is_none_or(|g| match status.as_str() {
                "active" => in_group("activeGroupIds", g),
                "inactive" => in_group("inactiveGroupIds", g),
                _ => in_group("activeGroupIds", g) || in_group("inactiveGroupIds", g),
            })
    })
}

/// Hustle's phone pattern: `^\+[1-9]\d{1,14}$|^\d{5,6}$`.
fn valid_phone(p: &str) -> bool {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    match p.strip_prefix('+') {
        Some(rest) => digits(rest) && (2..=15).contains(&rest.len()) && !rest.starts_with('0'),
        None => digits(p) && (5..=6).contains(&p.len()),
    }
}

const LEAD_FIELDS: &[&str] = &[
    "firstName",
    "lastName",
    "email",
    "postalCode",
    "notes",
    "followUp",
    "phoneNumberType",
];

fn upsert_lead(state: &Shared, req: &Request) -> Reply {
    let body = req.json_body();
    let (Some(phone), Some(org)) = (
        body["phoneNumber"].as_str(),
        body["organizationId"].as_str(),
    ) else {
        return error(
            400,
            "\"phoneNumber\" and \"organizationId\" are required",
            None,
        );
    };
    if !valid_phone(phone) {
        return error(
            422,
            "phoneNumber must be a valid E.164 phone number",
            Some("INVALID_PHONE_NUMBER"),
        );
    }
    let (phone, org) = (phone.to_string(), org.to_string());
    let mut s = state.lock();
    if !s.organizations.iter().any(|o| o["id"] == org.as_str()) {
        return error(
            422,
            "Unknown organizationId",
            Some("ORGANIZATION_NOT_FOUND"),
        );
    }
    let groups: Vec<String> = body["activeGroupIds"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|g| g.as_str().map(str::to_string))
        .collect();
    if let Some(g) = groups
        .iter()
        .find(|g| !s.groups.iter().any(|x| x["id"] == g.as_str()))
    {
        return error(422, &format!("Unknown group {g}"), Some("GROUP_NOT_FOUND"));
    }
    let existing = s.phone_index.get(&(org.clone(), phone.clone())).copied();
    let (idx, created) = match existing {
        Some(i) => (i, false),
        None => {
            let id = s.new_id("ld");
            let lead = json!({
                "id": id, "type": "lead", "phoneNumber": phone, "organizationId": org,
                "activeGroupIds": [], "inactiveGroupIds": [], "customFields": {}, "tagIds": [],
                "globalOptedOut": false,
                "createdAt": chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
            });
            s.insert_lead(lead);
            (s.leads.len() - 1, true)
        }
    };
    let lead = &mut s.leads[idx];
    for f in LEAD_FIELDS {
        if let Some(v) = body.get(*f).filter(|v| !v.is_null()) {
            lead[*f] = v.clone();
        }
    }
    for g in groups {
        add_unique(lead, "activeGroupIds", &g);
        remove(lead, "inactiveGroupIds", &g);
    }
    if let (Some(cf), Some(map)) = (
        body["customFields"].as_object(),
        lead["customFields"].as_object_mut(),
    ) {
        for (k, v) in cf {
            map.insert(k.clone(), v.clone());
        }
    }
    for t in body["tagIds"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
    {
        add_unique(lead, "tagIds", t);
    }
    let out = lead.clone();
    if created {
        s.writes.leads_created += 1;
        Reply::json(201, &out)
    } else {
        s.writes.leads_updated += 1;
        Reply::json(200, &out)
    }
}

fn add_unique(v: &mut Value, field: &str, item: &str) {
    if !v[field].is_array() {
        v[field] = json!([]);
    }
    if let Some(a) = v[field].as_array_mut()
        && !a.iter().any(|x| x == item)
    {
        a.push(json!(item));
    }
}

fn remove(v: &mut Value, field: &str, item: &str) {
    if let Some(a) = v[field].as_array_mut() {
        a.retain(|x| x != item);
    }
}

fn patch_lead(state: &Shared, req: &Request) -> Reply {
    let body = req.json_body();
    let Some(id) = body["id"].as_str() else {
        return error(400, "\"id\" is required", None);
    };
    let op = &body["operation"];
    let Some(kind) = op["type"].as_str() else {
        return error(400, "\"operation.type\" is required", None);
    };
    let mut s = state.lock();
    let Some(idx) = s.lead_index.get(id).copied() else {
        return error(404, "Lead not found", None);
    };
    let tag = op["tagId"].as_str().map(str::to_string);
    let tag_info = tag.as_deref().map(|t| {
        s.tags
            .iter()
            .find(|x| x["id"] == t)
            .map(|x| x["agentVisibility"] == "OPT_OUT")
    });
    let group = op["groupId"].as_str().map(str::to_string);
    let group_known = group
        .as_deref()
        .map(|g| s.groups.iter().any(|x| x["id"] == g));
    let field = op["customFieldName"].as_str().map(str::to_string);
    let field_known = field
        .as_deref()
        .map(|f| s.custom_fields.iter().any(|x| x["name"] == f));
    let lead = &mut s.leads[idx];
    match kind {
        "applyTag" | "removeTag" => {
            let Some(t) = &tag else {
                return error(400, "\"tagId\" is required", None);
            };
            if tag_info != Some(Some(false)) && tag_info != Some(Some(true)) {
                return error(422, &format!("Tag {t} not found"), Some("TAG_NOT_FOUND"));
            }
            if kind == "applyTag" {
                add_unique(lead, "tagIds", t);
            } else {
                remove(lead, "tagIds", t);
            }
        }
        "setCustomField" => {
            let (Some(f), Some(v)) = (&field, op["value"].as_str()) else {
                return error(400, "\"customFieldName\" and \"value\" are required", None);
            };
            if field_known != Some(true) {
                return error(
                    422,
                    &format!("Custom field {f} does not exist"),
                    Some("CUSTOM_FIELD_NOT_FOUND"),
                );
            }
            if !lead["customFields"].is_object() {
                lead["customFields"] = json!({});
            }
            lead["customFields"][f.as_str()] = json!(v);
        }
        "optOut" => {
            if let Some(t) = &tag {
                if tag_info != Some(Some(true)) {
                    return error(
                        422,
                        &format!("Tag {t} is not an opt-out tag"),
                        Some("NOT_AN_OPT_OUT_TAG"),
                    );
                }
                add_unique(lead, "tagIds", t);
            }
            lead["globalOptedOut"] = json!(true);
        }
        "optIn" => lead["globalOptedOut"] = json!(false),
        "makeActiveInGroup" | "makeInactiveInGroup" => {
            let Some(g) = &group else {
                return error(400, "\"groupId\" is required", None);
            };
            if group_known != Some(true) {
                return error(
                    422,
                    &format!("Group {g} not found"),
                    Some("GROUP_NOT_FOUND"),
                );
            }
            let (to, from) = if kind == "makeActiveInGroup" {
                ("activeGroupIds", "inactiveGroupIds")
            } else {
                ("inactiveGroupIds", "activeGroupIds")
            };
            remove(lead, from, g);
            add_unique(lead, to, g);
        }
        other => return error(400, &format!("Unknown operation type {other:?}"), None),
    }
    *s.writes.operations.entry(kind.to_string()).or_default() += 1;
    Reply::empty(204)
}

fn list_messages(state: &Shared, req: &Request) -> Reply {
    let lead = req.query("leadId");
    let group = req.query("groupId");
    let org = req.query("organizationId");
    let s = state.lock();
    if org
        .as_deref()
        .is_some_and(|o| !s.organizations.iter().any(|x| x["id"] == o))
    {
        return error(404, "Organization not found", None);
    }
    if lead.is_none() && group.is_none() {
        return page(req, &s.messages, |_| true);
    }
    page(req, &s.messages, |v| {
        eq(v, "leadId", &lead) && eq(v, "groupId", &group)
    })
}

fn get_message(state: &Shared, req: &Request) -> Reply {
    let id = req.url.path().rsplit('/').next().unwrap_or_default();
    let s = state.lock();
    match s.message_index.get(id) {
        Some(i) => Reply::json(200, &s.messages[*i]),
        None => error(404, "Message not found", None),
    }
}

#[cfg(test)]
mod tests {
    use super::valid_phone;

    #[test]
    fn hustle_phone_pattern() {
        assert!(valid_phone("+14142020792"));
        assert!(valid_phone("12345"));
        assert!(!valid_phone("414-202-0792"));
        assert!(!valid_phone("+0123"));
        assert!(!valid_phone("+"));
    }
}
