//! [`GraphqlSim`]: Spoke's GraphQL endpoint on [`canvass_testkit::Sim`].
//!
//! `POST /graphql` answers `currentUser`, `createOptOut`,
//! `updateQuestionResponses` and `updateContactTags` the way Spoke does:
//! HTTP 200 with `data`, or with `errors[]` whose messages are masked
//! (`UNAUTHORIZED`, `Internal server error`). A token other than the
//! simulator's is refused as [`AuthFailure`] says (Spoke's behaviour for a
//! bad JWT depends on its passport set-up, so both are simulated; the real
//! server verifies the JWT's signature, issuer and audience, the simulator
//! compares the token verbatim). A contact id the simulator was not told
//! about fails as Spoke fails on it: a masked internal error.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex, MutexGuard};

use canvass_testkit::Reply;
use canvass_testkit::sim::{AuthRule, RequestExt, Route, Sim, SimControl};
use serde_json::{Value, json};
use wiremock::Request;

use crate::models::{OptOutInput, QuestionResponseInput, TagInput};

/// The token the simulator accepts.
pub const API_TOKEN: &str = "sim-spoke-jwt-5b0c7e2a91";

/// How the simulator refuses a bad token.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum AuthFailure {
    /// HTTP 401 from the passport middleware.
    #[default]
    Http401,
    /// HTTP 200 with `errors: [{"message": "UNAUTHORIZED"}]` (the masked GraphQL error).
    GraphqlUnauthorized,
}

/// One write the simulator accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Written {
    /// `createOptOut`.
    OptOut {
        /// `campaignContactId`.
        contact: String,
        /// `optOut`.
        input: OptOutInput,
    },
    /// `updateQuestionResponses`.
    QuestionResponses {
        /// `campaignContactId`.
        contact: String,
        /// `questionResponses`.
        responses: Vec<QuestionResponseInput>,
    },
    /// `updateContactTags`.
    ContactTags {
        /// `campaignContactId`.
        contact: String,
        /// `tags`.
        tags: Vec<TagInput>,
    },
}

#[derive(Debug, Default)]
struct State {
    contacts: BTreeSet<String>,
    written: Vec<Written>,
    tags: BTreeMap<String, Vec<TagInput>>,
    fail_next: Option<String>,
    auth_failure: AuthFailure,
    /// The root field of every operation received, in order.
    fields: Vec<String>,
}

/// A running Spoke GraphQL simulator.
pub struct GraphqlSim {
    sim: Sim,
    state: Arc<Mutex<State>>,
}

impl std::fmt::Debug for GraphqlSim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GraphqlSim")
            .field("uri", &self.sim.uri())
            .finish_non_exhaustive()
    }
}

fn error_reply(message: &str, field: Option<&str>) -> Reply {
    let mut err = json!({"message": message, "locations": [{"line": 1, "column": 1}]});
    let mut data = Value::Null;
    if let Some(f) = field {
        err["path"] = json!([f]);
        data = json!({ f: null });
    }
    Reply::json(200, &json!({"errors": [err], "data": data}))
}

fn bearer_ok(req: &Request) -> bool {
    req.header_str("authorization").as_deref() == Some(&format!("Bearer {API_TOKEN}"))
}

impl GraphqlSim {
    /// Starts the simulator with no known contacts.
    pub async fn start() -> GraphqlSim {
        let sim = Sim::start().await;
        let state = Arc::new(Mutex::new(State::default()));
        let for_auth = state.clone();
        sim.control().set_auth(AuthRule {
            check: Box::new(bearer_ok),
            reject: Box::new(move |_req| {
                let mode = for_auth.lock().map(|s| s.auth_failure).unwrap_or_default();
                match mode {
                    AuthFailure::Http401 => Reply::text(401, "Unauthorized"),
                    AuthFailure::GraphqlUnauthorized => error_reply("UNAUTHORIZED", None),
                }
            }),
        });
        let for_route = state.clone();
        sim.route(Route::post(r"^/graphql/?$"), move |req| {
            handle(&for_route, req)
        })
        .await;
        GraphqlSim { sim, state }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The base URL (the API is at `<uri>/graphql`).
    pub fn uri(&self) -> String {
        self.sim.uri()
    }

    /// The base URL as a [`url::Url`].
    pub fn base_url(&self) -> url::Url {
        self.sim.url("/")
    }

    /// The switches and counters.
    pub fn control(&self) -> &Arc<SimControl> {
        self.sim.control()
    }

    /// Tells the simulator which campaign contact ids exist.
    pub fn set_contacts(&self, ids: impl IntoIterator<Item = i64>) {
        self.lock().contacts = ids.into_iter().map(|i| i.to_string()).collect();
    }

    /// How a bad token is refused.
    pub fn set_auth_failure(&self, mode: AuthFailure) {
        self.lock().auth_failure = mode;
    }

    /// Makes the next mutation fail with this (masked) message.
    pub fn fail_next(&self, message: &str) {
        self.lock().fail_next = Some(message.to_string());
    }

    /// Every write accepted, in order.
    pub fn written(&self) -> Vec<Written> {
        self.lock().written.clone()
    }

    /// The root field of every operation received (`currentUser`,
    /// `createOptOut`, …), in order, whether or not it was answered.
    pub fn operations(&self) -> Vec<String> {
        self.lock().fields.clone()
    }

    /// The tags last set on a contact.
    pub fn contact_tags(&self, contact: &str) -> Option<Vec<TagInput>> {
        self.lock().tags.get(contact).cloned()
    }
}

fn handle(state: &Mutex<State>, req: &Request) -> Reply {
    let body = req.json_body();
    let query = body
        .get("query")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let vars = body.get("variables").cloned().unwrap_or(Value::Null);
    let mut s = state.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(field) = root_field(query) {
        s.fields.push(field);
    }
    if query.contains("currentUser") {
        return Reply::json(
            200,
            &json!({"data": {"currentUser": {"id": "1", "displayName": "Canvass Bot"}}}),
        );
    }
    let field = [
        "createOptOut",
        "updateQuestionResponses",
        "updateContactTags",
    ]
    .into_iter()
    .find(|f| query.contains(f));
    let Some(field) = field else {
        return Reply::json(
            400,
            &json!({"errors": [{"message": "Cannot query this field on RootMutation", "extensions": {"code": "GRAPHQL_VALIDATION_FAILED"}}]}),
        );
    };
    if let Some(message) = s.fail_next.take() {
        return error_reply(&message, Some(field));
    }
    let contact = vars
        .get("campaignContactId")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    if !s.contacts.contains(&contact) {
        // Spoke loads the contact, then reads a field of `undefined`.
        return error_reply("Internal server error", Some(field));
    }
    match field {
        "createOptOut" => {
            let Ok(input) = serde_json::from_value::<OptOutInput>(vars["optOut"].clone()) else {
                return Reply::json(
                    400,
                    &json!({"errors": [{"message": "Variable \"$optOut\" got invalid value", "extensions": {"code": "BAD_USER_INPUT"}}]}),
                );
            };
            if !input.cell.starts_with('+') {
                return Reply::json(
                    400,
                    &json!({"errors": [{"message": "Variable \"$optOut\" got invalid value; Expected type Phone at value.cell", "extensions": {"code": "BAD_USER_INPUT"}}]}),
                );
            }
            s.written.push(Written::OptOut {
                contact: contact.clone(),
                input,
            });
            Reply::json(200, &json!({"data": {"createOptOut": {"id": contact}}}))
        }
        "updateQuestionResponses" => {
            let Ok(responses) = serde_json::from_value::<Vec<QuestionResponseInput>>(
                vars["questionResponses"].clone(),
            ) else {
                return Reply::json(
                    400,
                    &json!({"errors": [{"message": "Variable \"$questionResponses\" got invalid value", "extensions": {"code": "BAD_USER_INPUT"}}]}),
                );
            };
            s.written.push(Written::QuestionResponses {
                contact: contact.clone(),
                responses,
            });
            Reply::json(200, &json!({"data": {"updateQuestionResponses": contact}}))
        }
        _ => {
            let Ok(tags) = serde_json::from_value::<Vec<TagInput>>(vars["tags"].clone()) else {
                return Reply::json(
                    400,
                    &json!({"errors": [{"message": "Variable \"$tags\" got invalid value", "extensions": {"code": "BAD_USER_INPUT"}}]}),
                );
            };
            s.tags.insert(contact.clone(), tags.clone());
            s.written.push(Written::ContactTags {
                contact: contact.clone(),
                tags,
            });
            Reply::json(200, &json!({"data": {"updateContactTags": contact}}))
        }
    }
}

/// The first field of an operation's selection: the identifier after its
/// first `{`.
fn root_field(query: &str) -> Option<String> {
    let (_, rest) = query.split_once('{')?;
    let field: String = rest
        .trim_start()
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    (!field.is_empty()).then_some(field)
}
