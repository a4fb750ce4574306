//! The simulator's data and VAN's rules over it: matching, upserts, canvass
//! responses, signups, and the jobs.

use std::collections::{BTreeMap, BTreeSet};

use canvass_core::normalize::{fold_name, zip5};
use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::models::{
    self, ActivistCode, Code, ContactType, ContextPhone, Event, EventType, InputType,
    ResponseAction, ResponseItem, ResultCode, Signup, SignupStatus, SurveyQuestion,
};

/// How a write reached the simulator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WrittenVia {
    /// `POST /people/{vanId}/canvassResponses`.
    CanvassResponse,
    /// A bulk import job.
    BulkImport,
    /// `POST /people/findOrCreate` or `POST /people/{vanId}` (a phone's SMS status).
    PersonUpdate,
}

/// A canvass response as the simulator stored it.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredCanvassResponse {
    /// Who.
    pub van_id: u64,
    /// The contact type.
    pub contact_type_id: Option<u64>,
    /// The input type (11 when the request left it out).
    pub input_type_id: u64,
    /// The result code, for a non-contact.
    pub result_code_id: Option<u64>,
    /// The responses.
    pub responses: Vec<ResponseItem>,
    /// The phone of the context.
    pub phone: Option<ContextPhone>,
    /// The date sent.
    pub date_canvassed: Option<String>,
    /// When the simulator received it.
    pub received_at: DateTime<Utc>,
}

/// One application or removal of an activist code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppliedActivistCode {
    /// Who.
    pub van_id: u64,
    /// Which code.
    pub activist_code_id: u64,
    /// Apply or remove.
    pub action: ResponseAction,
    /// How it arrived.
    pub via: WrittenVia,
}

/// One survey answer recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSurveyResponse {
    /// Who.
    pub van_id: u64,
    /// The question.
    pub survey_question_id: u64,
    /// The answer.
    pub survey_response_id: u64,
    /// How it arrived.
    pub via: WrittenVia,
}

/// An SMS opt-out recorded on a person's phone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredOptOut {
    /// Who.
    pub van_id: u64,
    /// The phone's ten digits.
    pub phone: String,
    /// The result code sent with it, if any ("do not text").
    pub result_code_id: Option<u64>,
    /// How it arrived.
    pub via: WrittenVia,
}

#[derive(Debug, Clone)]
pub(crate) struct SimPerson {
    pub(crate) person: models::Person,
    pub(crate) created: DateTime<Utc>,
    pub(crate) modified: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub(crate) enum JobKind {
    Export {
        saved_list_id: u64,
        kind: u64,
        guid: String,
    },
    Bulk {
        request: models::BulkImportRequest,
    },
    Changed {
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        request: models::ChangedEntityExportRequest,
    },
}

#[derive(Debug, Clone)]
pub(crate) struct Job {
    pub(crate) kind: JobKind,
    pub(crate) polls: u32,
    /// Set once complete: the answer to every later poll.
    pub(crate) done: Option<Value>,
}

#[derive(Default)]
pub(crate) struct State {
    next_id: u64,
    pub(crate) people: BTreeMap<u64, SimPerson>,
    /// The last people search (its filters) and the ids it matched, so a
    /// paginated read filters once, not once per page. Cleared on any change
    /// to people.
    pub(crate) search_cache: Option<(String, Vec<u64>)>,
    pub(crate) activist_codes: BTreeMap<u64, ActivistCode>,
    pub(crate) survey_questions: BTreeMap<u64, SurveyQuestion>,
    pub(crate) result_codes: BTreeMap<u64, ResultCode>,
    pub(crate) contact_types: BTreeMap<u64, ContactType>,
    pub(crate) input_types: BTreeMap<u64, InputType>,
    pub(crate) codes: BTreeMap<u64, Code>,
    pub(crate) event_types: BTreeMap<u64, EventType>,
    pub(crate) events: BTreeMap<u64, Event>,
    pub(crate) signups: BTreeMap<u64, Signup>,
    pub(crate) canvass_responses: Vec<StoredCanvassResponse>,
    pub(crate) applied_codes: Vec<AppliedActivistCode>,
    pub(crate) survey_responses: Vec<StoredSurveyResponse>,
    pub(crate) opt_outs: Vec<StoredOptOut>,
    pub(crate) code_applications: Vec<(u64, u64)>,
    pub(crate) notes: BTreeMap<u64, Vec<models::Note>>,
    /// Features this database or key does not offer, with the HTTP status
    /// their routes answer.
    pub(crate) withheld: BTreeMap<super::Withheld, u16>,
    pub(crate) saved_lists: BTreeMap<u64, (models::SavedList, Vec<u64>)>,
    pub(crate) folders: BTreeMap<u64, models::Folder>,
    pub(crate) contributions: BTreeMap<u64, Value>,
    pub(crate) jobs: BTreeMap<u64, Job>,
}

/// A rejection in VAN's shape: status, code, text, properties.
pub(crate) type Reject = (u16, &'static str, String, Vec<String>);

pub(crate) fn invalid(text: impl Into<String>, props: &[&str]) -> Reject {
    (
        400,
        "INVALID_PARAMETER",
        text.into(),
        props.iter().map(|p| p.to_string()).collect(),
    )
}

pub(crate) fn digits(s: &str) -> String {
    let d: String = s.chars().filter(char::is_ascii_digit).collect();
    if d.len() == 11 && d.starts_with('1') {
        d[1..].to_string()
    } else {
        d
    }
}

fn phone_type_word(code: Option<&str>) -> Option<String> {
    code.map(|c| match c.trim().to_ascii_uppercase().as_str() {
        "C" | "CELL" => "Cell".to_string(),
        "H" | "HOME" => "Home".to_string(),
        "W" | "WORK" => "Work".to_string(),
        "M" | "MAIN" => "Main".to_string(),
        "F" | "FAX" => "Fax".to_string(),
        _ => c.to_string(),
    })
}

fn sms_word(code: &str) -> String {
    match code.trim().to_ascii_uppercase().as_str() {
        "I" | "OPT-IN" | "OPTIN" => "Opt-In".into(),
        "O" | "OPT-OUT" | "OPTOUT" => "Opt-Out".into(),
        _ => "Unknown".into(),
    }
}

/// What a person offers for matching, folded the way VAN ignores case and accents.
struct Keys {
    first: Option<String>,
    last: Option<String>,
    emails: BTreeSet<String>,
    phones: BTreeSet<String>,
    zips: BTreeSet<String>,
    dob: Option<String>,
    streets: BTreeSet<(String, String)>,
}

fn keys(p: &models::Person) -> Keys {
    let fold = |s: &Option<String>| s.as_deref().map(fold_name).filter(|s| !s.is_empty());
    let mut zips = BTreeSet::new();
    let mut streets = BTreeSet::new();
    for a in p.addresses.iter().flatten() {
        if let Some(z) = a.zip_or_postal_code.as_deref().and_then(|z| zip5(z).ok()) {
            if let Some(line) = a.address_line1.as_deref() {
                let mut words = line.split_whitespace();
                if let (Some(n), Some(_)) = (words.next(), words.clone().next())
                    && n.chars().next().is_some_and(|c| c.is_ascii_digit())
                {
                    streets.insert((
                        format!("{} {}", n, fold_name(&words.collect::<Vec<_>>().join(" "))),
                        z.clone(),
                    ));
                }
            }
            zips.insert(z);
        }
    }
    Keys {
        first: fold(&p.first_name),
        last: fold(&p.last_name),
        emails: p
            .emails
            .iter()
            .flatten()
            .map(|e| e.email.trim().to_lowercase())
            .filter(|e| e.contains('@'))
            .collect(),
        phones: p
            .phones
            .iter()
            .flatten()
            .map(|ph| digits(&ph.phone_number))
            .filter(|d| d.len() >= 10)
            .collect(),
        zips,
        dob: p
            .date_of_birth
            .as_deref()
            .and_then(|d| d.get(..10))
            .map(str::to_string),
        streets,
    }
}

fn matches(req: &Keys, have: &Keys) -> bool {
    let name = req.first.is_some()
        && req.last.is_some()
        && req.first == have.first
        && req.last == have.last;
    let overlap = |a: &BTreeSet<String>, b: &BTreeSet<String>| a.iter().any(|x| b.contains(x));
    if name {
        if overlap(&req.emails, &have.emails) || overlap(&req.phones, &have.phones) {
            return true;
        }
        if req.dob.is_some() && req.dob == have.dob && overlap(&req.zips, &have.zips) {
            return true;
        }
        if req.streets.iter().any(|s| have.streets.contains(s)) {
            return true;
        }
        return false;
    }
    // Email alone matches only a request that carries no full name: with a
    // name, the name must agree too (a shared junk email never merges two
    // different people).
    req.first.is_none() && req.last.is_none() && overlap(&req.emails, &have.emails)
}

/// Whether a request carries one of VAN's minimum match combinations.
fn has_combination(k: &Keys) -> bool {
    let name = k.first.is_some() && k.last.is_some();
    !k.emails.is_empty()
        || (name && !k.phones.is_empty())
        || (name && k.dob.is_some() && !k.zips.is_empty())
        || (name && !k.streets.is_empty())
}

impl State {
    pub(crate) fn id(&mut self) -> u64 {
        if self.next_id == 0 {
            self.next_id = 1000;
        }
        self.next_id += 1;
        self.next_id
    }

    /// Finds the person a request matches, when it carries a combination.
    pub(crate) fn find_match(&self, p: &models::Person) -> Option<u64> {
        let k = keys(p);
        if !has_combination(&k) {
            return None;
        }
        self.people
            .iter()
            .find(|(_, sp)| matches(&k, &keys(&sp.person)))
            .map(|(id, _)| *id)
    }

    /// Stores a new person (collections normalized the way VAN answers).
    pub(crate) fn create_person(&mut self, p: &models::Person, at: DateTime<Utc>) -> u64 {
        self.search_cache = None;
        let van_id = self.id();
        let stored = models::Person {
            van_id: Some(van_id),
            emails: Some(Vec::new()),
            phones: Some(Vec::new()),
            addresses: Some(Vec::new()),
            identifiers: Some(p.identifiers.clone().unwrap_or_default()),
            custom_fields: Some(Vec::new()),
            ..models::Person::default()
        };
        self.people.insert(
            van_id,
            SimPerson {
                person: stored,
                created: at,
                modified: at,
            },
        );
        self.merge_person(van_id, p, at, false);
        van_id
    }

    /// Merges a request into a stored person (see [`State::merge_person_uncached`]).
    pub(crate) fn merge_person(
        &mut self,
        van_id: u64,
        p: &models::Person,
        at: DateTime<Utc>,
        record_opt_outs: bool,
    ) {
        self.search_cache = None;
        self.merge_person_uncached(van_id, p, at, record_opt_outs);
    }

    /// Merges a request into a stored person: names when given, new contact
    /// points added, known ones updated (an SMS opt-out is recorded).
    pub(crate) fn merge_person_uncached(
        &mut self,
        van_id: u64,
        p: &models::Person,
        at: DateTime<Utc>,
        record_opt_outs: bool,
    ) {
        let mut ids = Vec::new();
        for _ in 0..(p.phones.iter().flatten().count() + p.addresses.iter().flatten().count()) {
            ids.push(self.id());
        }
        let mut ids = ids.into_iter();
        let mut opt_outs = Vec::new();
        let Some(sp) = self.people.get_mut(&van_id) else {
            return;
        };
        sp.modified = at;
        let s = &mut sp.person;
        for (dst, src) in [
            (&mut s.first_name, &p.first_name),
            (&mut s.middle_name, &p.middle_name),
            (&mut s.last_name, &p.last_name),
            (&mut s.suffix, &p.suffix),
        ] {
            if let Some(v) = src.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
                *dst = Some(v.to_string());
            }
        }
        if let Some(d) = p.date_of_birth.as_deref().filter(|d| d.len() >= 10) {
            s.date_of_birth = Some(format!("{}T00:00:00Z", &d[..10]));
        }
        let emails = s.emails.get_or_insert_with(Vec::new);
        for e in p.emails.iter().flatten() {
            let addr = e.email.trim().to_string();
            match emails
                .iter_mut()
                .find(|x| x.email.eq_ignore_ascii_case(&addr))
            {
                Some(x) => {
                    if e.is_subscribed.is_some() {
                        x.is_subscribed = e.is_subscribed;
                    }
                }
                None => emails.push(models::EmailAddress {
                    email: addr,
                    kind: e.kind.clone().or(Some("P".into())),
                    is_preferred: Some(emails.is_empty()),
                    is_subscribed: e.is_subscribed.or(Some(true)),
                    extra: Default::default(),
                }),
            }
        }
        let phones = s.phones.get_or_insert_with(Vec::new);
        for ph in p.phones.iter().flatten() {
            let d = digits(&ph.phone_number);
            let status = ph.sms_opt_in_status.as_deref().map(sms_word);
            if status.as_deref() == Some("Opt-Out") && record_opt_outs {
                opt_outs.push(d.clone());
            }
            match phones.iter_mut().find(|x| digits(&x.phone_number) == d) {
                Some(x) => {
                    if status.is_some() {
                        x.sms_opt_in_status = status;
                    }
                }
                None => {
                    let is_preferred = Some(phones.is_empty());
                    phones.push(models::PhoneNumber {
                        phone_id: ids.next(),
                        phone_number: d,
                        ext: ph.ext.clone(),
                        phone_type: phone_type_word(ph.phone_type.as_deref()),
                        is_preferred,
                        sms_opt_in_status: status.or(Some("Unknown".into())),
                        extra: Default::default(),
                    });
                }
            }
        }
        let addresses = s.addresses.get_or_insert_with(Vec::new);
        for a in p.addresses.iter().flatten() {
            let same = addresses.iter().any(|x| {
                x.address_line1.as_deref().map(fold_name)
                    == a.address_line1.as_deref().map(fold_name)
                    && x.zip_or_postal_code == a.zip_or_postal_code
            });
            if !same {
                let mut a = a.clone();
                a.address_id = ids.next();
                a.is_preferred = Some(addresses.is_empty());
                a.kind = a.kind.or(Some("Voting".into()));
                addresses.push(a);
            }
        }
        for phone in opt_outs {
            self.opt_outs.push(StoredOptOut {
                van_id,
                phone,
                result_code_id: None,
                via: WrittenVia::PersonUpdate,
            });
        }
    }

    /// A person as VAN answers it, with only the expanded collections.
    pub(crate) fn render_person(&self, van_id: u64, expand: &BTreeSet<String>) -> Option<Value> {
        let sp = self.people.get(&van_id)?;
        let mut v = serde_json::to_value(&sp.person).ok()?;
        for (field, key) in [
            ("emails", "emails"),
            ("phones", "phones"),
            ("addresses", "addresses"),
            ("customFields", "customfields"),
        ] {
            if !expand.contains(key) {
                v[field] = Value::Null;
            }
        }
        for f in ["middleName", "suffix", "dateOfBirth"] {
            if v.get(f).is_none() {
                v[f] = Value::Null;
            }
        }
        for f in ["codes", "districts", "suppressions"] {
            v[f] = Value::Null;
        }
        Some(v)
    }

    /// Applies a canvass response's effects and stores it.
    pub(crate) fn canvass(
        &mut self,
        van_id: u64,
        r: &models::CanvassResponse,
    ) -> Result<(), Reject> {
        if !self.people.contains_key(&van_id) {
            return Err((
                404,
                "NOT_FOUND",
                format!("person {van_id} not found"),
                vec!["vanId".into()],
            ));
        }
        let responses = r.responses.clone().unwrap_or_default();
        match (r.result_code_id, responses.is_empty()) {
            (Some(_), false) => {
                return Err(invalid(
                    "Specify either a resultCodeId or responses, not both",
                    &["resultCodeId", "responses"],
                ));
            }
            (None, true) => {
                return Err(invalid(
                    "A resultCodeId or at least one response is required",
                    &["resultCodeId", "responses"],
                ));
            }
            _ => {}
        }
        let ctx = &r.canvass_context;
        if let Some(ct) = ctx.contact_type_id
            && !self.contact_types.contains_key(&ct)
        {
            return Err(invalid(
                format!("unknown contactTypeId {ct}"),
                &["canvassContext.contactTypeId"],
            ));
        }
        let input = ctx.input_type_id.unwrap_or(11);
        if !self.input_types.contains_key(&input) {
            return Err(invalid(
                format!("unknown inputTypeId {input}"),
                &["canvassContext.inputTypeId"],
            ));
        }
        if let Some(rc) = r.result_code_id
            && !self.result_codes.contains_key(&rc)
        {
            return Err(invalid(
                format!("unknown resultCodeId {rc}"),
                &["resultCodeId"],
            ));
        }
        for (i, item) in responses.iter().enumerate() {
            match item {
                ResponseItem::ActivistCode {
                    activist_code_id, ..
                } if !self.activist_codes.contains_key(activist_code_id) => {
                    return Err((
                        400,
                        "INVALID_PARAMETER",
                        format!("unknown activistCodeId {activist_code_id}"),
                        vec![format!("responses[{i}].activistCodeId")],
                    ));
                }
                ResponseItem::SurveyResponse {
                    survey_question_id,
                    survey_response_id,
                } => {
                    let ok = self
                        .survey_questions
                        .get(survey_question_id)
                        .is_some_and(|q| {
                            q.responses
                                .iter()
                                .any(|o| o.survey_response_id == *survey_response_id)
                        });
                    if !ok {
                        return Err((
                            400,
                            "INVALID_PARAMETER",
                            format!(
                                "survey response {survey_response_id} is not an answer of question {survey_question_id}"
                            ),
                            vec![format!("responses[{i}].surveyResponseId")],
                        ));
                    }
                }
                _ => {}
            }
        }
        for item in &responses {
            match item {
                ResponseItem::ActivistCode {
                    activist_code_id,
                    action,
                } => self.applied_codes.push(AppliedActivistCode {
                    van_id,
                    activist_code_id: *activist_code_id,
                    action: *action,
                    via: WrittenVia::CanvassResponse,
                }),
                ResponseItem::SurveyResponse {
                    survey_question_id,
                    survey_response_id,
                } => self.survey_responses.push(StoredSurveyResponse {
                    van_id,
                    survey_question_id: *survey_question_id,
                    survey_response_id: *survey_response_id,
                    via: WrittenVia::CanvassResponse,
                }),
                ResponseItem::VolunteerActivity { .. } => {}
            }
        }
        if let Some(phone) = &ctx.phone
            && phone.sms_opt_in_status.as_deref().map(sms_word).as_deref() == Some("Opt-Out")
        {
            let d = digits(&phone.phone_number);
            let now = Utc::now();
            let update = models::Person {
                phones: Some(vec![models::PhoneNumber {
                    phone_number: d.clone(),
                    sms_opt_in_status: Some("O".into()),
                    ..models::PhoneNumber::default()
                }]),
                ..models::Person::default()
            };
            self.merge_person(van_id, &update, now, false);
            self.opt_outs.push(StoredOptOut {
                van_id,
                phone: d,
                result_code_id: r.result_code_id,
                via: WrittenVia::CanvassResponse,
            });
        }
        self.canvass_responses.push(StoredCanvassResponse {
            van_id,
            contact_type_id: ctx.contact_type_id,
            input_type_id: input,
            result_code_id: r.result_code_id,
            responses,
            phone: ctx.phone.clone(),
            date_canvassed: ctx.date_canvassed.clone(),
            received_at: Utc::now(),
        });
        Ok(())
    }

    /// `POST /signups`: validates, then upserts on (person, event, shift, role).
    pub(crate) fn upsert_signup(&mut self, s: &Signup) -> Result<u64, Reject> {
        let van_id = s.person.van_id;
        let person = self
            .people
            .get(&van_id)
            .ok_or_else(|| invalid(format!("unknown vanId {van_id}"), &["person.vanId"]))?
            .person
            .clone();
        let event = self
            .events
            .get(&s.event.event_id)
            .ok_or_else(|| {
                invalid(
                    format!("unknown eventId {}", s.event.event_id),
                    &["event.eventId"],
                )
            })?
            .clone();
        let shift = event
            .shifts
            .iter()
            .flatten()
            .find(|x| x.event_shift_id == Some(s.shift.event_shift_id))
            .ok_or_else(|| {
                invalid(
                    format!(
                        "shift {} is not a shift of event {}",
                        s.shift.event_shift_id, s.event.event_id
                    ),
                    &["shift.eventShiftId"],
                )
            })?
            .clone();
        let role = event
            .roles
            .iter()
            .flatten()
            .find(|r| r.role_id == s.role.role_id)
            .ok_or_else(|| {
                invalid(
                    format!(
                        "role {} is not a role of event {}",
                        s.role.role_id, s.event.event_id
                    ),
                    &["role.roleId"],
                )
            })?
            .clone();
        let status = self
            .statuses_for_event(s.event.event_id)
            .into_iter()
            .find(|x| x.status_id == s.status.status_id)
            .ok_or_else(|| {
                invalid(
                    format!(
                        "status {} is not a signup status of event {}",
                        s.status.status_id, s.event.event_id
                    ),
                    &["status.statusId"],
                )
            })?;
        let existing = self
            .signups
            .iter()
            .find(|(_, x)| {
                x.person.van_id == van_id
                    && x.event.event_id == s.event.event_id
                    && x.shift.event_shift_id == s.shift.event_shift_id
                    && x.role.role_id == s.role.role_id
            })
            .map(|(id, _)| *id);
        let id = match existing {
            Some(id) => id,
            None => self.id(),
        };
        let mut extra = models::Extra::new();
        extra.insert("dateModified".into(), Utc::now().to_rfc3339().into());
        extra.insert(
            "startTimeOverride".into(),
            shift
                .start_time
                .clone()
                .map(Value::String)
                .unwrap_or(Value::Null),
        );
        extra.insert(
            "endTimeOverride".into(),
            shift
                .end_time
                .clone()
                .map(Value::String)
                .unwrap_or(Value::Null),
        );
        self.signups.insert(
            id,
            Signup {
                event_signup_id: Some(id),
                person: models::PersonRef {
                    van_id,
                    first_name: person.first_name,
                    last_name: person.last_name,
                    extra: Default::default(),
                },
                event: models::EventRef {
                    event_id: s.event.event_id,
                    name: Some(event.name.clone()),
                    extra: Default::default(),
                },
                shift: models::ShiftRef {
                    event_shift_id: s.shift.event_shift_id,
                    name: shift.name.clone(),
                },
                role: models::Role {
                    role_id: role.role_id,
                    name: role.name.clone(),
                    is_event_lead: None,
                    extra: Default::default(),
                },
                status,
                location: s.location.clone(),
                extra,
            },
        );
        Ok(id)
    }

    pub(crate) fn statuses_for_event(&self, event_id: u64) -> Vec<SignupStatus> {
        self.events
            .get(&event_id)
            .and_then(|e| e.event_type.as_ref())
            .and_then(|t| self.event_types.get(&t.event_type_id))
            .map(|t| t.statuses.clone())
            .unwrap_or_default()
    }

    /// Renders an event with only the expanded collections.
    pub(crate) fn render_event(&self, event_id: u64, expand: &BTreeSet<String>) -> Option<Value> {
        let e = self.events.get(&event_id)?;
        let mut v = serde_json::to_value(e).ok()?;
        for (field, key) in [
            ("shifts", "shifts"),
            ("roles", "roles"),
            ("locations", "locations"),
            ("codes", "codes"),
            ("notes", "notes"),
        ] {
            if !expand.contains(key) {
                v[field] = Value::Null;
            }
        }
        Some(v)
    }

    /// The CSV columns of people files.
    pub(crate) const PEOPLE_COLUMNS: [&'static str; 15] = [
        "VanID",
        "FirstName",
        "MiddleName",
        "LastName",
        "DateOfBirth",
        "Email",
        "Phone",
        "PhoneType",
        "SmsOptInStatus",
        "AddressLine1",
        "City",
        "StateOrProvince",
        "ZipOrPostalCode",
        "DateCreated",
        "DateModified",
    ];

    pub(crate) fn person_row(&self, van_id: u64) -> Vec<String> {
        let Some(sp) = self.people.get(&van_id) else {
            return vec![van_id.to_string()];
        };
        let p = &sp.person;
        let email = p
            .emails
            .iter()
            .flatten()
            .find(|e| e.is_preferred == Some(true))
            .or(p.emails.iter().flatten().next());
        let phone = p
            .phones
            .iter()
            .flatten()
            .find(|e| e.is_preferred == Some(true))
            .or(p.phones.iter().flatten().next());
        let addr = p
            .addresses
            .iter()
            .flatten()
            .find(|e| e.is_preferred == Some(true))
            .or(p.addresses.iter().flatten().next());
        let s = |o: Option<&String>| o.cloned().unwrap_or_default();
        vec![
            van_id.to_string(),
            s(p.first_name.as_ref()),
            s(p.middle_name.as_ref()),
            s(p.last_name.as_ref()),
            p.date_of_birth
                .as_deref()
                .and_then(|d| d.get(..10))
                .unwrap_or_default()
                .to_string(),
            email.map(|e| e.email.clone()).unwrap_or_default(),
            phone.map(|x| x.phone_number.clone()).unwrap_or_default(),
            phone.and_then(|x| x.phone_type.clone()).unwrap_or_default(),
            phone
                .and_then(|x| x.sms_opt_in_status.clone())
                .unwrap_or_default(),
            addr.and_then(|a| a.address_line1.clone())
                .unwrap_or_default(),
            addr.and_then(|a| a.city.clone()).unwrap_or_default(),
            addr.and_then(|a| a.state_or_province.clone())
                .unwrap_or_default(),
            addr.and_then(|a| a.zip_or_postal_code.clone())
                .unwrap_or_default(),
            sp.created.to_rfc3339(),
            sp.modified.to_rfc3339(),
        ]
    }

    /// Applies one bulk-import row; `Err` is the row's result message.
    pub(crate) fn bulk_row(
        &mut self,
        mapping: &str,
        get: &dyn Fn(&str) -> Option<String>,
    ) -> Result<(), String> {
        let num = |name: &str| -> Result<u64, String> {
            get(name)
                .ok_or_else(|| format!("missing column {name}"))?
                .trim()
                .parse::<u64>()
                .map_err(|_| format!("{name} is not a number"))
        };
        let van_id = num("VanID")?;
        if !self.people.contains_key(&van_id) {
            return Err(format!("UnmatchedVanID {van_id}"));
        }
        match mapping {
            "ActivistCode" => {
                let code = num("ActivistCodeID")?;
                if !self.activist_codes.contains_key(&code) {
                    return Err(format!("InvalidActivistCodeID {code}"));
                }
                self.applied_codes.push(AppliedActivistCode {
                    van_id,
                    activist_code_id: code,
                    action: ResponseAction::Apply,
                    via: WrittenVia::BulkImport,
                });
                Ok(())
            }
            "SurveyResponse" => {
                let q = num("SurveyQuestionID")?;
                let r = num("SurveyResponseID")?;
                let ok = self
                    .survey_questions
                    .get(&q)
                    .is_some_and(|sq| sq.responses.iter().any(|o| o.survey_response_id == r));
                if !ok {
                    return Err(format!("InvalidSurveyResponseID {r} for question {q}"));
                }
                self.survey_responses.push(StoredSurveyResponse {
                    van_id,
                    survey_question_id: q,
                    survey_response_id: r,
                    via: WrittenVia::BulkImport,
                });
                Ok(())
            }
            other => Err(format!("unsupported mapping type {other}")),
        }
    }
}
