//! The simulator's routes: one handler per VAN endpoint, over [`State`].

use std::collections::BTreeSet;
use std::sync::Arc;

use canvass_testkit::Reply;
use canvass_testkit::sim::{RequestExt, Route, Sim};
use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};
use wiremock::Request;

use super::Inner;
use super::files::{http_get_blocking, unzip};
use super::state::{Job, JobKind, Reject, State};
use crate::models::{self, Signup};

/// VAN's error body.
pub(crate) fn van_error(status: u16, code: &str, text: &str, properties: &[String]) -> Reply {
    let mut e = json!({"code": code, "text": text});
    if !properties.is_empty() {
        e["properties"] = json!(properties);
    }
    Reply::json(status, &json!({ "errors": [e] }))
}

fn reject(r: Reject) -> Reply {
    van_error(r.0, r.1, &r.2, &r.3)
}

fn not_found(what: &str) -> Reply {
    van_error(404, "NOT_FOUND", &format!("{what} not found"), &[])
}

fn segment(req: &Request, i: usize) -> String {
    req.url
        .path()
        .trim_start_matches("/v4/")
        .split('/')
        .nth(i)
        .unwrap_or_default()
        .to_string()
}

fn id_at(req: &Request, i: usize) -> Option<u64> {
    segment(req, i).parse().ok()
}

fn expand_set(req: &Request) -> BTreeSet<String> {
    req.query("$expand")
        .unwrap_or_default()
        .split(',')
        .map(|s| s.trim().replace('_', "").to_ascii_lowercase())
        .filter(|s| !s.is_empty())
        .collect()
}

/// One page of `items` per `$top`/`$skip`, with `count` and an absolute `nextPageLink`.
fn paged(req: &Request, items: Vec<Value>, default_top: u64, max_top: u64) -> Reply {
    paged_with(
        req,
        items.len() as u64,
        default_top,
        max_top,
        |skip, top| items.iter().skip(skip).take(top).cloned().collect(),
    )
}

/// Like [`paged`], rendering only the items of the page asked for.
fn paged_with(
    req: &Request,
    count: u64,
    default_top: u64,
    max_top: u64,
    render: impl FnOnce(usize, usize) -> Vec<Value>,
) -> Reply {
    let top = match req.query("$top").map(|t| t.parse::<u64>()) {
        None => default_top,
        Some(Ok(t)) if (1..=max_top).contains(&t) => t,
        Some(_) => {
            return van_error(
                400,
                "INVALID_PARAMETER",
                &format!("$top must be between 1 and {max_top}"),
                &["$top".into()],
            );
        }
    };
    let skip = match req.query("$skip").map(|s| s.parse::<u64>()) {
        None => 0,
        Some(Ok(s)) => s,
        Some(Err(_)) => {
            return van_error(
                400,
                "INVALID_PARAMETER",
                "$skip must be a whole number",
                &["$skip".into()],
            );
        }
    };
    let page = render(skip as usize, top as usize);
    let next = (skip + top < count).then(|| {
        let mut url = req.url.clone();
        let pairs: Vec<(String, String)> = url
            .query_pairs()
            .filter(|(k, _)| k != "$top" && k != "$skip")
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        url.query_pairs_mut()
            .clear()
            .extend_pairs(pairs)
            .append_pair("$top", &top.to_string())
            .append_pair("$skip", &(skip + top).to_string());
        url.to_string()
    });
    Reply::json(
        200,
        &json!({"items": page, "count": count, "nextPageLink": next}),
    )
}

fn body<T: serde::de::DeserializeOwned>(req: &Request, what: &str) -> Result<T, Reply> {
    serde_json::from_slice(&req.body).map_err(|e| {
        van_error(
            400,
            "INVALID_PARAMETER",
            &format!("the {what} body is invalid: {e}"),
            &[],
        )
    })
}

fn created(id: u64, location: &str) -> Reply {
    Reply::json(201, &json!(id)).header("location", location)
}

type Handler = fn(&Inner, &Request) -> Reply;

async fn on(sim: &Sim, inner: &Arc<Inner>, route: Route, handler: Handler) {
    let inner = inner.clone();
    sim.route(route, move |req| {
        inner.withheld(req).unwrap_or_else(|| handler(&inner, req))
    })
    .await;
}

/// Mounts every route.
pub(crate) async fn mount(sim: &Sim, inner: &Arc<Inner>) {
    let id = r"\d+";
    on(sim, inner, Route::post("^/v4/echoes$"), |_, req| {
        Reply::json(
            200,
            &json!({"message": req.json_body().get("message").cloned().unwrap_or(Value::Null)}),
        )
    })
    .await;

    // People.
    on(sim, inner, Route::get("^/v4/people$"), search_people).await;
    on(sim, inner, Route::post("^/v4/people/find$"), |i, req| {
        match_person(i, req, false)
    })
    .await;
    on(
        sim,
        inner,
        Route::post("^/v4/people/findOrCreate$"),
        |i, req| match_person(i, req, true),
    )
    .await;
    on(
        sim,
        inner,
        Route::get(&format!("^/v4/people/({id}|[A-Za-z]+:[^/]+)$")),
        get_person,
    )
    .await;
    on(
        sim,
        inner,
        Route::post(&format!("^/v4/people/({id}|[A-Za-z]+:[^/]+)$")),
        update_person,
    )
    .await;
    on(
        sim,
        inner,
        Route::delete(&format!("^/v4/people/{id}$")),
        |i, req| {
            let mut st = i.lock();
            st.search_cache = None;
            let removed = id_at(req, 1).and_then(|v| st.people.remove(&v));
            if removed.is_some() {
                Reply::empty(204)
            } else {
                not_found("person")
            }
        },
    )
    .await;
    on(
        sim,
        inner,
        Route::post(&format!(
            "^/v4/people/({id}|[A-Za-z]+:[^/]+)/canvassResponses$"
        )),
        canvass,
    )
    .await;
    on(
        sim,
        inner,
        Route::post(&format!("^/v4/people/{id}/codes$")),
        |i, req| {
            let mut st = i.lock();
            let (Some(v), Some(c)) = (
                id_at(req, 1),
                req.json_body().get("codeId").and_then(Value::as_u64),
            ) else {
                return van_error(
                    400,
                    "INVALID_PARAMETER",
                    "codeId is required",
                    &["codeId".into()],
                );
            };
            if !st.people.contains_key(&v) {
                return not_found("person");
            }
            if !st.codes.contains_key(&c) {
                return van_error(
                    400,
                    "INVALID_PARAMETER",
                    &format!("unknown codeId {c}"),
                    &["codeId".into()],
                );
            }
            st.code_applications.push((v, c));
            Reply::empty(204)
        },
    )
    .await;
    on(
        sim,
        inner,
        Route::get(&format!("^/v4/people/{id}/notes$")),
        |i, req| {
            let st = i.lock();
            let v = id_at(req, 1).unwrap_or_default();
            if !st.people.contains_key(&v) {
                return not_found("person");
            }
            Reply::json(200, &json!(st.notes.get(&v).cloned().unwrap_or_default()))
        },
    )
    .await;
    on(
        sim,
        inner,
        Route::post(&format!("^/v4/people/{id}/notes$")),
        |i, req| {
            let note: models::Note = match body(req, "note") {
                Ok(n) => n,
                Err(r) => return r,
            };
            let mut st = i.lock();
            let v = id_at(req, 1).unwrap_or_default();
            if !st.people.contains_key(&v) {
                return not_found("person");
            }
            let note_id = st.id();
            st.notes.entry(v).or_default().push(models::Note {
                note_id: Some(note_id),
                created_date: Some(Utc::now().to_rfc3339()),
                ..note
            });
            Reply::empty(204)
        },
    )
    .await;

    // Codes and canvass-response lookups.
    on(sim, inner, Route::get("^/v4/activistCodes$"), |i, req| {
        let st = i.lock();
        let name = req.query("name").map(|n| n.to_lowercase());
        let statuses: Vec<String> = req
            .query("statuses")
            .map(|s| s.split(',').map(|x| x.trim().to_lowercase()).collect())
            .unwrap_or_default();
        let items = st
            .activist_codes
            .values()
            .filter(|c| {
                name.as_ref()
                    .is_none_or(|n| c.name.to_lowercase().starts_with(n))
            })
            .filter(|c| {
                statuses.is_empty()
                    || c.status
                        .as_ref()
                        .is_some_and(|s| statuses.contains(&s.to_lowercase()))
            })
            .map(|c| json!(c))
            .collect();
        paged(req, items, 50, 200)
    })
    .await;
    on(
        sim,
        inner,
        Route::get(&format!("^/v4/activistCodes/{id}$")),
        |i, req| {
            i.lock()
                .activist_codes
                .get(&id_at(req, 1).unwrap_or_default())
                .map_or_else(
                    || not_found("activist code"),
                    |c| Reply::json(200, &json!(c)),
                )
        },
    )
    .await;
    on(sim, inner, Route::get("^/v4/surveyQuestions$"), |i, req| {
        let items = i
            .lock()
            .survey_questions
            .values()
            .map(|q| json!(q))
            .collect();
        paged(req, items, 50, 200)
    })
    .await;
    on(
        sim,
        inner,
        Route::get(&format!("^/v4/surveyQuestions/{id}$")),
        |i, req| {
            i.lock()
                .survey_questions
                .get(&id_at(req, 1).unwrap_or_default())
                .map_or_else(
                    || not_found("survey question"),
                    |q| Reply::json(200, &json!(q)),
                )
        },
    )
    .await;
    on(
        sim,
        inner,
        Route::get("^/v4/canvassResponses/resultCodes$"),
        |i, _| {
            Reply::json(
                200,
                &json!(i.lock().result_codes.values().collect::<Vec<_>>()),
            )
        },
    )
    .await;
    on(
        sim,
        inner,
        Route::get("^/v4/canvassResponses/contactTypes$"),
        |i, _| {
            Reply::json(
                200,
                &json!(i.lock().contact_types.values().collect::<Vec<_>>()),
            )
        },
    )
    .await;
    on(
        sim,
        inner,
        Route::get("^/v4/canvassResponses/inputTypes$"),
        |i, _| {
            Reply::json(
                200,
                &json!(i.lock().input_types.values().collect::<Vec<_>>()),
            )
        },
    )
    .await;
    on(sim, inner, Route::get("^/v4/codes$"), |i, req| {
        let items = i.lock().codes.values().map(|c| json!(c)).collect();
        paged(req, items, 50, 200)
    })
    .await;
    on(
        sim,
        inner,
        Route::get(&format!("^/v4/codes/{id}$")),
        |i, req| {
            i.lock()
                .codes
                .get(&id_at(req, 1).unwrap_or_default())
                .map_or_else(|| not_found("code"), |c| Reply::json(200, &json!(c)))
        },
    )
    .await;

    // Events and signups.
    on(sim, inner, Route::get("^/v4/events$"), list_events).await;
    on(sim, inner, Route::get("^/v4/events/types$"), |i, _| {
        Reply::json(
            200,
            &json!(i.lock().event_types.values().collect::<Vec<_>>()),
        )
    })
    .await;
    on(
        sim,
        inner,
        Route::get(&format!("^/v4/events/{id}$")),
        |i, req| {
            i.lock()
                .render_event(id_at(req, 1).unwrap_or_default(), &expand_set(req))
                .map_or_else(|| not_found("event"), |e| Reply::json(200, &e))
        },
    )
    .await;
    on(sim, inner, Route::post("^/v4/events$"), create_event).await;
    on(
        sim,
        inner,
        Route::post(&format!("^/v4/events/{id}/shifts$")),
        |i, req| {
            let shift: models::EventShift = match body(req, "shift") {
                Ok(s) => s,
                Err(r) => return r,
            };
            let mut st = i.lock();
            let event_id = id_at(req, 1).unwrap_or_default();
            if !st.events.contains_key(&event_id) {
                return not_found("event");
            }
            let shift_id = st.id();
            if let Some(e) = st.events.get_mut(&event_id) {
                e.shifts
                    .get_or_insert_with(Vec::new)
                    .push(models::EventShift {
                        event_shift_id: Some(shift_id),
                        ..shift
                    });
            }
            created(
                shift_id,
                &format!("/v4/events/{event_id}/shifts/{shift_id}"),
            )
        },
    )
    .await;
    on(
        sim,
        inner,
        Route::delete(&format!("^/v4/events/{id}$")),
        |i, req| {
            if i.lock()
                .events
                .remove(&id_at(req, 1).unwrap_or_default())
                .is_some()
            {
                Reply::empty(204)
            } else {
                not_found("event")
            }
        },
    )
    .await;
    on(sim, inner, Route::get("^/v4/signups$"), |i, req| {
        let st = i.lock();
        let event = req.query("eventId").and_then(|v| v.parse::<u64>().ok());
        let person = req.query("vanId").and_then(|v| v.parse::<u64>().ok());
        if event.is_none() && person.is_none() {
            return van_error(
                400,
                "INVALID_PARAMETER",
                "eventId or vanId is required",
                &["eventId".into(), "vanId".into()],
            );
        }
        // VAN's reference for `GET /signups`: a `vanId` or `eventId` that
        // does not exist is answered 404 Not Found.
        if event.is_some_and(|e| !st.events.contains_key(&e)) {
            return not_found("event");
        }
        if person.is_some_and(|p| !st.people.contains_key(&p)) {
            return not_found("person");
        }
        let items = st
            .signups
            .values()
            .filter(|s| {
                event.is_none_or(|e| s.event.event_id == e)
                    && person.is_none_or(|p| s.person.van_id == p)
            })
            .map(|s| json!(s))
            .collect();
        paged(req, items, 50, 200)
    })
    .await;
    on(
        sim,
        inner,
        Route::get("^/v4/signups/statuses$"),
        |i, req| {
            let st = i.lock();
            if let Some(e) = req.query("eventId").and_then(|v| v.parse::<u64>().ok()) {
                if !st.events.contains_key(&e) {
                    return not_found("event");
                }
                return Reply::json(200, &json!(st.statuses_for_event(e)));
            }
            if let Some(t) = req.query("eventTypeId").and_then(|v| v.parse::<u64>().ok()) {
                return st.event_types.get(&t).map_or_else(
                    || not_found("event type"),
                    |t| Reply::json(200, &json!(t.statuses)),
                );
            }
            van_error(
                400,
                "INVALID_PARAMETER",
                "eventId or eventTypeId is required",
                &["eventId".into(), "eventTypeId".into()],
            )
        },
    )
    .await;
    on(sim, inner, Route::post("^/v4/signups$"), |i, req| {
        let s: Signup = match body(req, "signup") {
            Ok(s) => s,
            Err(r) => return r,
        };
        match i.lock().upsert_signup(&s) {
            Ok(id) => created(id, &format!("/v4/signups/{id}")),
            Err(r) => reject(r),
        }
    })
    .await;
    on(
        sim,
        inner,
        Route::get(&format!("^/v4/signups/{id}$")),
        |i, req| {
            i.lock()
                .signups
                .get(&id_at(req, 1).unwrap_or_default())
                .map_or_else(|| not_found("signup"), |s| Reply::json(200, &json!(s)))
        },
    )
    .await;
    on(
        sim,
        inner,
        Route::put(&format!("^/v4/signups/{id}$")),
        |i, req| {
            let s: Signup = match body(req, "signup") {
                Ok(s) => s,
                Err(r) => return r,
            };
            let mut st = i.lock();
            let signup_id = id_at(req, 1).unwrap_or_default();
            let Some(existing) = st.signups.get(&signup_id).cloned() else {
                return not_found("signup");
            };
            let Some(status) = st
                .statuses_for_event(existing.event.event_id)
                .into_iter()
                .find(|x| x.status_id == s.status.status_id)
            else {
                return van_error(
                    400,
                    "INVALID_PARAMETER",
                    &format!("unknown status {}", s.status.status_id),
                    &["status.statusId".into()],
                );
            };
            if let Some(x) = st.signups.get_mut(&signup_id) {
                x.status = status;
                x.extra
                    .insert("dateModified".into(), Utc::now().to_rfc3339().into());
            }
            Reply::empty(204)
        },
    )
    .await;
    on(
        sim,
        inner,
        Route::delete(&format!("^/v4/signups/{id}$")),
        |i, req| {
            if i.lock()
                .signups
                .remove(&id_at(req, 1).unwrap_or_default())
                .is_some()
            {
                Reply::empty(204)
            } else {
                not_found("signup")
            }
        },
    )
    .await;

    // Lists, folders, contributions.
    on(sim, inner, Route::get("^/v4/savedLists$"), |i, req| {
        let items = i
            .lock()
            .saved_lists
            .values()
            .map(|(l, _)| json!(l))
            .collect();
        paged(req, items, 50, 200)
    })
    .await;
    on(
        sim,
        inner,
        Route::get(&format!("^/v4/savedLists/{id}$")),
        |i, req| {
            i.lock()
                .saved_lists
                .get(&id_at(req, 1).unwrap_or_default())
                .map_or_else(
                    || not_found("saved list"),
                    |(l, _)| Reply::json(200, &json!(l)),
                )
        },
    )
    .await;
    on(sim, inner, Route::get("^/v4/folders$"), |i, req| {
        let items = i.lock().folders.values().map(|f| json!(f)).collect();
        paged(req, items, 50, 200)
    })
    .await;
    on(
        sim,
        inner,
        Route::get(&format!("^/v4/folders/{id}$")),
        |i, req| {
            i.lock()
                .folders
                .get(&id_at(req, 1).unwrap_or_default())
                .map_or_else(|| not_found("folder"), |f| Reply::json(200, &json!(f)))
        },
    )
    .await;
    on(sim, inner, Route::post("^/v4/contributions$"), |i, req| {
        let mut c = req.json_body();
        let mut st = i.lock();
        let van_id = c.pointer("/contact/vanId").and_then(Value::as_u64);
        if !van_id.is_some_and(|v| st.people.contains_key(&v)) {
            return van_error(
                400,
                "INVALID_PARAMETER",
                "contact.vanId must be a known person",
                &["contact.vanId".into()],
            );
        }
        if !c.get("amount").is_some_and(Value::is_number) {
            return van_error(
                400,
                "INVALID_PARAMETER",
                "amount is required",
                &["amount".into()],
            );
        }
        let id = st.id();
        c["contributionId"] = json!(id);
        st.contributions.insert(id, c);
        created(id, &format!("/v4/contributions/{id}"))
    })
    .await;
    on(
        sim,
        inner,
        Route::get("^/v4/contributions/[A-Za-z]+:[^/]+$"),
        |i, req| {
            // `GET /contributions/{alternateIdType}:{alternateId}`: a
            // contribution carrying that id under that name.
            let key = segment(req, 1);
            let (kind, value) = key.split_once(':').unwrap_or_default();
            i.lock()
                .contributions
                .values()
                .find(|c| {
                    c.get(kind).is_some_and(|v| {
                        v.as_str() == Some(value)
                            || v.as_u64().is_some_and(|n| n.to_string() == value)
                    })
                })
                .map_or_else(
                    || not_found(&format!("contribution {key}")),
                    |c| Reply::json(200, c),
                )
        },
    )
    .await;
    on(
        sim,
        inner,
        Route::get(&format!("^/v4/contributions/{id}$")),
        |i, req| {
            i.lock()
                .contributions
                .get(&id_at(req, 1).unwrap_or_default())
                .map_or_else(|| not_found("contribution"), |c| Reply::json(200, c))
        },
    )
    .await;

    // Jobs.
    on(sim, inner, Route::get("^/v4/exportJobTypes$"), |_, req| {
        paged(
            req,
            vec![json!({"exportJobTypeId": 4, "name": "SavedListExport"})],
            50,
            200,
        )
    })
    .await;
    on(sim, inner, Route::post("^/v4/exportJobs$"), create_export).await;
    on(
        sim,
        inner,
        Route::get(&format!("^/v4/exportJobs/{id}$")),
        poll_job,
    )
    .await;
    on(sim, inner, Route::post("^/v4/bulkImportJobs$"), create_bulk).await;
    on(
        sim,
        inner,
        Route::get("^/v4/bulkImportJobs/resources$"),
        |_, _| {
            Reply::json(
                200,
                &json!([
                    "Contacts",
                    "ContactsActivistCodes",
                    "ContactsSurveyResponses"
                ]),
            )
        },
    )
    .await;
    on(sim, inner, Route::get("^/v4/bulkImportMappingTypes$"), |_, _| {
        Reply::json(200, &json!([
            {"name": "ActivistCode", "displayName": "Apply Activist Code", "fields": [{"name": "VanID"}, {"name": "ActivistCodeID"}]},
            {"name": "SurveyResponse", "displayName": "Apply Survey Response", "fields": [{"name": "VanID"}, {"name": "SurveyQuestionID"}, {"name": "SurveyResponseID"}]}
        ]))
    })
    .await;
    on(
        sim,
        inner,
        Route::get(&format!("^/v4/bulkImportJobs/{id}$")),
        poll_job,
    )
    .await;
    on(
        sim,
        inner,
        Route::post("^/v4/changedEntityExportJobs$"),
        create_changed,
    )
    .await;
    on(
        sim,
        inner,
        Route::get("^/v4/changedEntityExportJobs/resources$"),
        |_, _| Reply::json(200, &json!(["Contacts"])),
    )
    .await;
    on(
        sim,
        inner,
        Route::get("^/v4/changedEntityExportJobs/fields/[A-Za-z]+$"),
        |_, req| {
            if segment(req, 2) != "Contacts" {
                return van_error(
                    400,
                    "INVALID_PARAMETER",
                    "unknown resourceType",
                    &["resourceType".into()],
                );
            }
            Reply::json(
                200,
                &json!(
                    State::PEOPLE_COLUMNS
                        .iter()
                        .map(|c| json!({"fieldName": c, "fieldType": "T"}))
                        .collect::<Vec<_>>()
                ),
            )
        },
    )
    .await;
    on(
        sim,
        inner,
        Route::get(&format!("^/v4/changedEntityExportJobs/{id}$")),
        poll_job,
    )
    .await;
}

fn search_people(i: &Inner, req: &Request) -> Reply {
    use canvass_core::normalize::fold_name;
    let filters = [
        "firstName",
        "lastName",
        "email",
        "phoneNumber",
        "streetAddress",
        "city",
        "stateOrProvince",
        "zipOrPostalCode",
    ];
    let given: Vec<(&str, String)> = filters
        .iter()
        .filter_map(|f| {
            req.query(f)
                .filter(|v| !v.trim().is_empty())
                .map(|v| (*f, v))
        })
        .collect();
    if given.is_empty() {
        return van_error(
            400,
            "INVALID_PARAMETER",
            "At least one search parameter is required",
            &filters.iter().map(|f| f.to_string()).collect::<Vec<_>>(),
        );
    }
    let mut st = i.lock();
    let key = format!("{given:?}");
    let cached = st
        .search_cache
        .as_ref()
        .filter(|(k, _)| *k == key)
        .map(|(_, ids)| ids.clone());
    let expand = expand_set(req);
    let prefix = |have: Option<&str>, want: &str| {
        have.is_some_and(|h| fold_name(h).starts_with(&fold_name(want)))
    };
    let ids: Vec<u64> = if let Some(ids) = cached {
        ids
    } else {
        let ids: Vec<u64> = st
            .people
            .iter()
            .filter(|(_, sp)| {
                let p = &sp.person;
                let addr = p.addresses.iter().flatten();
                given.iter().all(|(f, v)| match *f {
                    "firstName" => prefix(p.first_name.as_deref(), v),
                    "lastName" => prefix(p.last_name.as_deref(), v),
                    "email" => p
                        .emails
                        .iter()
                        .flatten()
                        .any(|e| e.email.to_lowercase().starts_with(&v.trim().to_lowercase())),
                    "phoneNumber" => p.phones.iter().flatten().any(|ph| {
                        super::state::digits(&ph.phone_number) == super::state::digits(v)
                    }),
                    "streetAddress" => addr.clone().any(|a| prefix(a.address_line1.as_deref(), v)),
                    "city" => addr.clone().any(|a| prefix(a.city.as_deref(), v)),
                    "stateOrProvince" => addr.clone().any(|a| {
                        a.state_or_province
                            .as_deref()
                            .is_some_and(|s| s.eq_ignore_ascii_case(v.trim()))
                    }),
                    _ => addr.clone().any(|a| {
                        a.zip_or_postal_code
                            .as_deref()
                            .is_some_and(|z| z.starts_with(v.trim()))
                    }),
                })
            })
            .map(|(id, _)| *id)
            .collect();
        st.search_cache = Some((key, ids.clone()));
        ids
    };
    paged_with(req, ids.len() as u64, 50, 200, |skip, top| {
        ids.iter()
            .skip(skip)
            .take(top)
            .filter_map(|id| st.render_person(*id, &expand))
            .collect()
    })
}

fn match_person(i: &Inner, req: &Request, create: bool) -> Reply {
    let p: models::Person = match body(req, "person") {
        Ok(p) => p,
        Err(r) => return r,
    };
    let mut st = i.lock();
    let now = Utc::now();
    match st.find_match(&p) {
        Some(van_id) => {
            if create {
                st.merge_person(van_id, &p, now, true);
            }
            Reply::json(302, &json!({"vanId": van_id, "status": "Matched"}))
                .header("location", &format!("/v4/people/{van_id}"))
        }
        None if create => {
            let van_id = st.create_person(&p, now);
            Reply::json(201, &json!({"vanId": van_id, "status": "Stored"}))
                .header("location", &format!("/v4/people/{van_id}"))
        }
        None => van_error(404, "NOT_FOUND", "No match found", &[]),
    }
}

/// Resolves `{vanId}` or `{idType}:{id}` to a van id.
fn resolve_person(st: &State, key: &str) -> Option<u64> {
    if let Ok(v) = key.parse::<u64>() {
        return st.people.contains_key(&v).then_some(v);
    }
    let (kind, id) = key.split_once(':')?;
    st.people
        .iter()
        .find(|(_, sp)| {
            sp.person
                .identifiers
                .iter()
                .flatten()
                .any(|x| x.kind.eq_ignore_ascii_case(kind) && x.external_id == id)
        })
        .map(|(v, _)| *v)
}

fn get_person(i: &Inner, req: &Request) -> Reply {
    let st = i.lock();
    let key = segment(req, 1);
    resolve_person(&st, &key)
        .and_then(|v| st.render_person(v, &expand_set(req)))
        .map_or_else(
            || not_found(&format!("person {key}")),
            |p| Reply::json(200, &p),
        )
}

fn update_person(i: &Inner, req: &Request) -> Reply {
    let p: models::Person = match body(req, "person") {
        Ok(p) => p,
        Err(r) => return r,
    };
    let mut st = i.lock();
    let key = segment(req, 1);
    let Some(van_id) = resolve_person(&st, &key) else {
        return not_found(&format!("person {key}"));
    };
    st.merge_person(van_id, &p, Utc::now(), true);
    Reply::json(200, &json!({"vanId": van_id, "status": "Processed"}))
}

fn canvass(i: &Inner, req: &Request) -> Reply {
    let r: models::CanvassResponse = match body(req, "canvass response") {
        Ok(r) => r,
        Err(r) => return r,
    };
    let mut st = i.lock();
    let key = segment(req, 1);
    let Some(van_id) = resolve_person(&st, &key) else {
        return not_found(&format!("person {key}"));
    };
    match st.canvass(van_id, &r) {
        Ok(()) => Reply::empty(204),
        Err(e) => reject(e),
    }
}

fn list_events(i: &Inner, req: &Request) -> Reply {
    let st = i.lock();
    let expand = expand_set(req);
    let after = req.query("startingAfter");
    let before = req.query("startingBefore");
    let types: Vec<u64> = req
        .query("eventTypeIds")
        .map(|t| t.split(',').filter_map(|x| x.trim().parse().ok()).collect())
        .unwrap_or_default();
    let items = st
        .events
        .values()
        .filter(|e| {
            let day = e
                .start_date
                .as_deref()
                .and_then(|d| d.get(..10))
                .unwrap_or_default()
                .to_string();
            after.as_ref().is_none_or(|a| day.as_str() > a.as_str())
                && before.as_ref().is_none_or(|b| day.as_str() < b.as_str())
                && (types.is_empty()
                    || e.event_type
                        .as_ref()
                        .is_some_and(|t| types.contains(&t.event_type_id)))
        })
        .filter_map(|e| e.event_id.and_then(|id| st.render_event(id, &expand)))
        .collect();
    paged(req, items, 10, 50)
}

fn create_event(i: &Inner, req: &Request) -> Reply {
    let mut e: models::Event = match body(req, "event") {
        Ok(e) => e,
        Err(r) => return r,
    };
    let mut st = i.lock();
    if e.name.trim().is_empty() {
        return van_error(
            400,
            "INVALID_PARAMETER",
            "name is required",
            &["name".into()],
        );
    }
    let start = e
        .start_date
        .as_deref()
        .and_then(canvass_core::time::parse_timestamp);
    let end = e
        .end_date
        .as_deref()
        .and_then(canvass_core::time::parse_timestamp);
    match (start, end) {
        (Some(s), Some(t)) if t > s => {}
        (Some(_), Some(_)) => {
            return van_error(
                400,
                "INVALID_PARAMETER",
                "endDate must come after startDate",
                &["startDate".into(), "endDate".into()],
            );
        }
        _ => {
            return van_error(
                400,
                "INVALID_PARAMETER",
                "startDate and endDate are required",
                &["startDate".into(), "endDate".into()],
            );
        }
    }
    let Some(t) = e
        .event_type
        .as_ref()
        .and_then(|t| st.event_types.get(&t.event_type_id))
        .cloned()
    else {
        return van_error(
            400,
            "INVALID_PARAMETER",
            "eventType.eventTypeId must be a known event type",
            &["eventType.eventTypeId".into()],
        );
    };
    let event_id = st.id();
    let mut shifts = e.shifts.take().unwrap_or_default();
    if shifts.is_empty() {
        shifts.push(models::EventShift {
            name: Some("Full Event".into()),
            start_time: e.start_date.clone(),
            end_time: e.end_date.clone(),
            ..Default::default()
        });
    }
    for s in &mut shifts {
        s.event_shift_id = Some(st.id());
    }
    e.event_id = Some(event_id);
    e.shifts = Some(shifts);
    if e.roles.as_ref().is_none_or(Vec::is_empty) {
        e.roles = Some(t.roles.clone());
    }
    e.event_type = Some(models::EventTypeRef {
        event_type_id: t.event_type_id,
        name: Some(t.name.clone()),
    });
    e.extra
        .insert("createdDate".into(), Utc::now().to_rfc3339().into());
    st.events.insert(event_id, e);
    created(event_id, &format!("/v4/events/{event_id}"))
}

fn create_export(i: &Inner, req: &Request) -> Reply {
    let r: models::ExportJobRequest = match body(req, "export job") {
        Ok(r) => r,
        Err(r) => return r,
    };
    let mut st = i.lock();
    if !st.saved_lists.contains_key(&r.saved_list_id) {
        return van_error(
            400,
            "INVALID_PARAMETER",
            &format!("unknown savedListId {}", r.saved_list_id),
            &["savedListId".into()],
        );
    }
    if r.kind != 4 {
        return van_error(
            400,
            "INVALID_PARAMETER",
            &format!("unknown export job type {}", r.kind),
            &["type".into()],
        );
    }
    let id = st.id();
    let guid = format!("00000000-0000-4000-8000-{id:012}");
    st.jobs.insert(
        id,
        Job {
            kind: JobKind::Export {
                saved_list_id: r.saved_list_id,
                kind: r.kind,
                guid: guid.clone(),
            },
            polls: 0,
            done: None,
        },
    );
    Reply::json(
        201,
        &json!({"exportJobId": id, "exportJobGuid": guid, "savedListId": r.saved_list_id, "webhookUrl": r.webhook_url, "downloadUrl": null, "status": "Pending", "type": r.kind, "dateExpired": null, "errorCode": null}),
    )
}

fn create_bulk(i: &Inner, req: &Request) -> Reply {
    let r: models::BulkImportRequest = match body(req, "bulk import") {
        Ok(r) => r,
        Err(r) => return r,
    };
    let Some(action) = r.actions.first() else {
        return van_error(
            400,
            "INVALID_PARAMETER",
            "at least one action is required",
            &["actions".into()],
        );
    };
    if ![
        "Contacts",
        "ContactsActivistCodes",
        "ContactsSurveyResponses",
    ]
    .contains(&action.resource_type.as_str())
    {
        return van_error(
            400,
            "INVALID_PARAMETER",
            &format!("unknown resourceType {}", action.resource_type),
            &["actions[0].resourceType".into()],
        );
    }
    if let Some((n, m)) = action
        .mapping_types
        .iter()
        .enumerate()
        .find(|(_, m)| !["ActivistCode", "SurveyResponse"].contains(&m.name.as_str()))
    {
        return van_error(
            400,
            "INVALID_PARAMETER",
            &format!("unknown mapping type {}", m.name),
            &[format!("actions[0].mappingTypes[{n}].name")],
        );
    }
    if action.mapping_types.is_empty() {
        return van_error(
            400,
            "INVALID_PARAMETER",
            "at least one mapping type is required",
            &["actions[0].mappingTypes".into()],
        );
    }
    let mut st = i.lock();
    let id = st.id();
    st.jobs.insert(
        id,
        Job {
            kind: JobKind::Bulk { request: r },
            polls: 0,
            done: None,
        },
    );
    Reply::json(201, &json!({ "jobId": id }))
}

fn create_changed(i: &Inner, req: &Request) -> Reply {
    let r: models::ChangedEntityExportRequest = match body(req, "changed entity export") {
        Ok(r) => r,
        Err(r) => return r,
    };
    let now = Utc::now();
    let Some(from) = canvass_core::time::parse_timestamp(&r.date_changed_from) else {
        return van_error(
            400,
            "INVALID_PARAMETER",
            "dateChangedFrom is not a date",
            &["dateChangedFrom".into()],
        );
    };
    if from < now - Duration::days(90) {
        return van_error(
            400,
            "INVALID_PARAMETER",
            "dateChangedFrom must be within the last 90 days",
            &["dateChangedFrom".into()],
        );
    }
    let to = match r
        .date_changed_to
        .as_deref()
        .map(canvass_core::time::parse_timestamp)
    {
        None => now,
        Some(Some(t)) if t > from => t,
        Some(_) => {
            return van_error(
                400,
                "INVALID_PARAMETER",
                "dateChangedTo must be a date after dateChangedFrom",
                &["dateChangedTo".into()],
            );
        }
    };
    if r.resource_type != "Contacts" {
        return van_error(
            400,
            "INVALID_PARAMETER",
            &format!("unknown resourceType {}", r.resource_type),
            &["resourceType".into()],
        );
    }
    if !(1000..=100_000).contains(&r.file_size_kb_limit) {
        return van_error(
            400,
            "INVALID_PARAMETER",
            "fileSizeKbLimit must be between 1000 and 100000",
            &["fileSizeKbLimit".into()],
        );
    }
    if let Some((n, f)) = r.requested_fields.iter().enumerate().find(|(_, f)| {
        !State::PEOPLE_COLUMNS
            .iter()
            .any(|c| c.eq_ignore_ascii_case(f))
    }) {
        return van_error(
            400,
            "INVALID_PARAMETER",
            &format!("unknown field {f}"),
            &[format!("requestedFields[{n}]")],
        );
    }
    let mut st = i.lock();
    let id = st.id();
    st.jobs.insert(
        id,
        Job {
            kind: JobKind::Changed {
                from,
                to,
                request: r.clone(),
            },
            polls: 0,
            done: None,
        },
    );
    Reply::json(
        201,
        &changed_json(id, "Pending", from, to, &[], None, "Created export job."),
    )
}

fn changed_json(
    id: u64,
    status: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    files: &[String],
    count: Option<u64>,
    message: &str,
) -> Value {
    let expires = (Utc::now() + Duration::days(20)).to_rfc3339();
    json!({
        "exportJobId": id, "jobStatus": status, "dateChangedFrom": from.to_rfc3339(), "dateChangedTo": to.to_rfc3339(),
        "files": files.iter().map(|u| json!({"downloadUrl": u, "dateExpired": expires})).collect::<Vec<_>>(),
        "message": message, "code": null, "exportedRecordCount": count, "excludeChangesFromSelf": "false"
    })
}

fn csv_bytes(headers: &[String], rows: &[Vec<String>]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(headers);
    for r in rows {
        let _ = w.write_record(r);
    }
    w.into_inner().unwrap_or_default()
}

/// Polls advance a job: Pending → InProcess → Complete, doing the work on
/// the poll that completes it.
fn poll_job(i: &Inner, req: &Request) -> Reply {
    let id = id_at(req, 1).unwrap_or_default();
    let resource = segment(req, 0);
    let (job, polls) = {
        let mut st = i.lock();
        let Some(job) = st.jobs.get_mut(&id) else {
            return not_found("job");
        };
        let kind_ok = matches!(
            (&job.kind, resource.as_str()),
            (JobKind::Export { .. }, "exportJobs")
                | (JobKind::Bulk { .. }, "bulkImportJobs")
                | (JobKind::Changed { .. }, "changedEntityExportJobs")
        );
        if !kind_ok {
            return not_found("job");
        }
        if let Some(done) = &job.done {
            return Reply::json(200, done);
        }
        job.polls += 1;
        (job.clone(), job.polls)
    };
    let in_process = polls < 2;
    let answer = match &job.kind {
        JobKind::Export {
            saved_list_id,
            kind,
            guid,
        } => {
            // An export job is `Requested`, `Pending`, `Completed` or `Error`
            // (VAN's Export Jobs common models); it has no `InProcess`.
            let mut v = json!({"exportJobId": id, "exportJobGuid": guid, "savedListId": saved_list_id, "downloadUrl": null, "status": "Pending", "type": kind, "errorCode": null});
            if !in_process {
                let st = i.lock();
                let members = st
                    .saved_lists
                    .get(saved_list_id)
                    .map(|(_, m)| m.clone())
                    .unwrap_or_default();
                let rows: Vec<Vec<String>> = members
                    .iter()
                    .filter(|v| st.people.contains_key(v))
                    .map(|v| st.person_row(*v))
                    .collect();
                drop(st);
                let headers: Vec<String> = State::PEOPLE_COLUMNS
                    .iter()
                    .map(|c| c.to_string())
                    .collect();
                let name = format!("export-{id}.csv");
                i.put_file(&name, csv_bytes(&headers, &rows));
                v["status"] = json!("Completed");
                v["downloadUrl"] = json!(i.file_url(&name));
                v["dateExpired"] = json!((Utc::now() + Duration::days(20)).to_rfc3339());
            }
            v
        }
        JobKind::Changed { from, to, request } => {
            if in_process {
                changed_json(
                    id,
                    "InProcess",
                    *from,
                    *to,
                    &[],
                    None,
                    "Processing export job.",
                )
            } else {
                let st = i.lock();
                let wanted: Vec<usize> = if request.requested_fields.is_empty() {
                    (0..State::PEOPLE_COLUMNS.len()).collect()
                } else {
                    let mut w = vec![0];
                    w.extend(
                        request
                            .requested_fields
                            .iter()
                            .filter_map(|f| {
                                State::PEOPLE_COLUMNS
                                    .iter()
                                    .position(|c| c.eq_ignore_ascii_case(f))
                            })
                            .filter(|i| *i != 0),
                    );
                    w
                };
                let rows: Vec<Vec<String>> = st
                    .people
                    .iter()
                    .filter(|(v, sp)| {
                        sp.modified >= *from
                            && sp.modified < *to
                            && (request.requested_ids.is_empty()
                                || request.requested_ids.contains(v))
                    })
                    .map(|(v, _)| {
                        let row = st.person_row(*v);
                        wanted
                            .iter()
                            .map(|i| row.get(*i).cloned().unwrap_or_default())
                            .collect()
                    })
                    .collect();
                drop(st);
                let headers: Vec<String> = wanted
                    .iter()
                    .map(|i| State::PEOPLE_COLUMNS[*i].to_string())
                    .collect();
                // Split into files of at most fileSizeKbLimit KB, each with the header.
                let limit = (request.file_size_kb_limit * 1024) as usize;
                let mut files = Vec::new();
                let mut chunk: Vec<Vec<String>> = Vec::new();
                let mut size = 0;
                for row in &rows {
                    let len = row.iter().map(|c| c.len() + 3).sum::<usize>();
                    if !chunk.is_empty() && size + len > limit {
                        files.push(std::mem::take(&mut chunk));
                        size = 0;
                    }
                    size += len;
                    chunk.push(row.clone());
                }
                files.push(chunk);
                let urls: Vec<String> = files
                    .iter()
                    .enumerate()
                    .map(|(n, rows)| {
                        let name = format!("changed-{id}-{n}.csv");
                        i.put_file(&name, csv_bytes(&headers, rows));
                        i.file_url(&name)
                    })
                    .collect();
                changed_json(
                    id,
                    "Complete",
                    *from,
                    *to,
                    &urls,
                    Some(rows.len() as u64),
                    "Finished processing export job.",
                )
            }
        }
        JobKind::Bulk { request } => {
            let resource = request
                .actions
                .first()
                .map(|a| a.resource_type.clone())
                .unwrap_or_default();
            if in_process {
                json!({"id": id, "status": "InProcess", "resourceType": resource, "errors": [], "resultFiles": []})
            } else {
                match run_bulk(i, id, request) {
                    Ok(url) => {
                        json!({"id": id, "status": "Completed", "resourceType": resource, "webhookUrl": null, "resultFileSizeLimitKb": 5000, "errors": [],
                        "resultFiles": [{"url": url, "dateExpired": (Utc::now() + Duration::days(20)).to_rfc3339()}]})
                    }
                    Err(e) => {
                        json!({"id": id, "status": "Failed", "resourceType": resource, "errors": [{"code": "FILE_ERROR", "text": e}], "resultFiles": []})
                    }
                }
            }
        }
    };
    if !in_process {
        let mut st = i.lock();
        if let Some(j) = st.jobs.get_mut(&id) {
            j.done = Some(answer.clone());
        }
    }
    Reply::json(200, &answer)
}

/// Fetches the caller's zip, applies every row, writes the result file.
fn run_bulk(i: &Inner, id: u64, request: &models::BulkImportRequest) -> Result<String, String> {
    let zip = http_get_blocking(&request.file.source_url)?;
    let csv = unzip(&zip, &request.file.file_name)?;
    let has_header = request.file.has_header.eq_ignore_ascii_case("true");
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(has_header)
        .flexible(true)
        .from_reader(csv.as_slice());
    let columns: Vec<String> = request
        .file
        .columns
        .iter()
        .map(|c| c.name.clone())
        .collect();
    let mut out_rows = Vec::new();
    let mappings: Vec<String> = request
        .actions
        .iter()
        .flat_map(|a| a.mapping_types.iter().map(|m| m.name.clone()))
        .collect();
    let mut st = i.lock();
    for record in reader.records() {
        let record = record.map_err(|e| format!("the file is not valid CSV: {e}"))?;
        let values: Vec<String> = record.iter().map(str::to_string).collect();
        let get = |name: &str| {
            columns
                .iter()
                .position(|c| c.eq_ignore_ascii_case(name))
                .and_then(|p| values.get(p).cloned())
        };
        let mut outcome = Ok(());
        for m in &mappings {
            outcome = outcome.and_then(|()| st.bulk_row(m, &get));
        }
        let mut row = values.clone();
        match outcome {
            Ok(()) => row.extend(["Success".to_string(), String::new()]),
            Err(e) => row.extend(["Error".to_string(), e]),
        }
        out_rows.push(row);
    }
    drop(st);
    let mut headers = columns;
    headers.extend(["ResultOutcome".to_string(), "ResultMessage".to_string()]);
    let name = format!("bulk-{id}-results.csv");
    i.put_file(&name, csv_bytes(&headers, &out_rows));
    Ok(i.file_url(&name))
}
