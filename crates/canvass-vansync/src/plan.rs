//! Planning: from what the warehouse holds to the VAN writes each committee
//! needs, as data. Planning is pure and deterministic: [`plan_target`] is a
//! function of the [`Inputs`] and the config, and the same inputs give the
//! same writes with the same keys in the same order.
//!
//! How each rule makes its writes and keys:
//!
//! | rule | one write per | idempotency key parts |
//! |---|---|---|
//! | `create_events` | source event RSVPs point to that no mapping names (with a `create_events` table) | the source event's ref |
//! | `rsvps_to_signups` | person, VAN event, shift, role (the latest RSVP wins) | the RSVP's source ref, VAN event, shift, role, status (for a created event: its source ref and the RSVP's source shift instead of VAN's ids) |
//! | `tags_to_activist_codes` | person, activist code | canonical person, activist code |
//! | `texts_to_contact_history` | person, campaign, day (UTC), result | the person's smallest source ref, campaign, day, result |
//! | `opt_outs` | person, phone | phone, the person's smallest source ref |
//! | `survey_responses` | person, VAN question (the latest answer wins) | the answer's source ref, question, response |
//!
//! A changed RSVP status or survey answer is a new key, so it is written
//! (VAN's signup is updated; the new answer recorded). Everything else
//! already written is skipped by the ledger.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use canvass_core::{
    Attendance, Channel, ContactAttempt, ContactResult, Event, OptOut, OptOutReason, Person, Shift,
    SourceRef, SurveyQuestion, SurveyResponse, Tagging, WriteOp,
};
use canvass_sync::{CanonicalPerson, LedgerStatus};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::config::{CreateEvents, TargetConfig};
use crate::key::idempotency_key;
use crate::person::{Combination, find_or_create_body};
use crate::rules::Rule;

/// The ledger rule name of person resolution entries (outcome: the VAN id).
pub const RESOLVE_PERSON_RULE: &str = "resolve_person";

/// The ledger rule name of event creation entries (outcome: a
/// [`CreatedEvent`] as JSON).
pub const CREATE_EVENT_RULE: &str = "create_events";

/// A signup to an event the sync creates in VAN: which creation it waits
/// for and which source shift it names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignupToCreated {
    /// The ledger key of the event's creation.
    pub event_key: String,
    /// The source event.
    pub event: SourceRef,
    /// The RSVP's source shift (`None`: the created event's first shift).
    pub shift: Option<SourceRef>,
}

/// A VAN event the sync created: the creation's ledger outcome, so later
/// pushes reuse it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedEvent {
    /// The VAN event id.
    pub event_id: u64,
    /// Source shift (`"system:id"`) → the VAN shift created for it.
    #[serde(default)]
    pub shifts: BTreeMap<String, u64>,
    /// The VAN shift of RSVPs that name no (known) shift: the first one.
    #[serde(default)]
    pub first_shift: Option<u64>,
}

impl CreatedEvent {
    /// The ledger outcome text.
    pub fn to_outcome(&self) -> String {
        serde_json::to_string(self)
            .unwrap_or_else(|_| format!("{{\"event_id\":{}}}", self.event_id))
    }

    /// Reads a ledger outcome.
    pub fn from_outcome(outcome: &str) -> Option<CreatedEvent> {
        serde_json::from_str(outcome).ok()
    }

    /// The VAN shift for an RSVP's source shift (the first one when the
    /// source shift has none; `None`: read the event's first from VAN).
    pub fn shift_for(&self, shift: Option<&SourceRef>) -> Option<u64> {
        shift
            .and_then(|s| self.shifts.get(&s.to_string()).copied())
            .or(self.first_shift)
    }
}

/// An event the sync creates in VAN (`POST /events`) for a source event
/// RSVPs point to and no mapping names.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlannedEvent {
    /// The idempotency key (the ledger's primary key).
    pub key: String,
    /// The source event.
    pub source: SourceRef,
    /// The source shifts, in the order of `body.shifts`.
    pub shifts: Vec<SourceRef>,
    /// What `POST /events` sends.
    pub body: Box<canvass_van::models::Event>,
    /// The canonical write the ledger records for it: the source event and
    /// its shifts (`None` once VAN has it and the source is gone).
    pub op: Option<WriteOp>,
    /// Its ledger status when planned (`None`: never planned before).
    pub ledger: Option<LedgerStatus>,
    /// The VAN event, when an earlier push created it.
    pub created: Option<CreatedEvent>,
}

impl PlannedEvent {
    /// Whether the ledger already has it created.
    pub fn is_written(&self) -> bool {
        self.ledger == Some(LedgerStatus::Written)
    }

    /// Whether a previous run sent it and never learned the outcome
    /// (creating an event is not idempotent: never re-sent).
    pub fn is_in_doubt(&self) -> bool {
        self.ledger == Some(LedgerStatus::Sending)
    }

    /// Whether a push would send it.
    pub fn will_send(&self) -> bool {
        !self.is_written() && !self.is_in_doubt()
    }

    /// One line saying what the write does.
    pub fn describe(&self) -> String {
        format!(
            "create VAN event {:?} (event type {}) from {} with {} shift(s), {} to {}",
            self.body.name,
            self.body.event_type.as_ref().map_or(0, |t| t.event_type_id),
            self.source,
            self.body.shifts.as_ref().map_or(0, Vec::len),
            self.body.start_date.as_deref().unwrap_or("?"),
            self.body.end_date.as_deref().unwrap_or("?"),
        )
    }
}

/// What one planned write does in VAN.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum VanAction {
    /// `POST /signups` (an upsert on person, event, shift, role).
    Signup {
        /// VAN event.
        event_id: u64,
        /// VAN shift; `None`: the event's first shift, read from VAN.
        shift_id: Option<u64>,
        /// VAN role; `None`: the event's first role, read from VAN.
        role_id: Option<u64>,
        /// The canonical status.
        status: String,
        /// VAN's signup status id.
        status_id: u64,
        /// Set when the event is one the sync creates: `event_id` (and
        /// `shift_id`) are then known only once it is created (0 and
        /// `None` until then).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        created: Option<SignupToCreated>,
    },
    /// Apply an activist code.
    ApplyActivistCode {
        /// The activist code.
        activist_code_id: u64,
        /// The source tag name it comes from.
        tag: String,
    },
    /// Contact history: a canvass response with a result code.
    ContactHistory {
        /// Texted or canvassed.
        result: ContactResult,
        /// The result code.
        result_code_id: u64,
        /// The contact type (SMS).
        contact_type_id: u64,
        /// The phone texted, E.164.
        phone: Option<String>,
        /// The day (UTC) of the contact.
        date: NaiveDate,
        /// The texting campaign.
        campaign: Option<String>,
    },
    /// The phone's SMS opt-out, with the reason's result code when one is
    /// configured (one canvass response); without one, a person update
    /// setting the phone's SMS status.
    SmsOptOut {
        /// The phone, E.164.
        phone: String,
        /// Why.
        reason: OptOutReason,
        /// The result code recorded with it.
        result_code_id: Option<u64>,
        /// The contact type (SMS).
        contact_type_id: u64,
        /// When the person opted out.
        at: Option<DateTime<Utc>>,
    },
    /// A survey response.
    SurveyResponse {
        /// The VAN question.
        survey_question_id: u64,
        /// The VAN answer.
        survey_response_id: u64,
        /// The answer as the source had it.
        answer: String,
        /// When it was answered.
        at: Option<DateTime<Utc>>,
    },
}

impl VanAction {
    /// Whether re-sending the call can never duplicate anything in VAN
    /// (see [`Rule::is_idempotent`]); an opt-out without a result code is a
    /// person update, so it is idempotent too.
    pub fn is_idempotent(&self) -> bool {
        match self {
            VanAction::Signup { .. } | VanAction::ApplyActivistCode { .. } => true,
            VanAction::SmsOptOut { result_code_id, .. } => result_code_id.is_none(),
            VanAction::ContactHistory { .. } | VanAction::SurveyResponse { .. } => false,
        }
    }

    /// One line saying what the write does.
    pub fn describe(&self) -> String {
        match self {
            VanAction::Signup {
                event_id,
                shift_id,
                role_id,
                status,
                status_id,
                created,
            } => match created {
                Some(c) if *event_id == 0 => format!(
                    "signup to the VAN event created from {} shift {} role {}: {status} (status {status_id})",
                    c.event,
                    c.shift
                        .as_ref()
                        .map_or_else(|| "first".to_string(), SourceRef::to_string),
                    role_id.map_or("first".into(), |s| s.to_string()),
                ),
                _ => format!(
                    "signup to event {event_id} shift {} role {}: {status} (status {status_id})",
                    shift_id.map_or("first".into(), |s| s.to_string()),
                    role_id.map_or("first".into(), |s| s.to_string()),
                ),
            },
            VanAction::ApplyActivistCode {
                activist_code_id,
                tag,
            } => format!("activist code {activist_code_id} (tag {tag:?})"),
            VanAction::ContactHistory {
                result,
                result_code_id,
                date,
                campaign,
                ..
            } => format!(
                "contact history {result} (result code {result_code_id}) on {date}, campaign {}",
                campaign.as_deref().unwrap_or("-")
            ),
            VanAction::SmsOptOut {
                phone,
                reason,
                result_code_id,
                ..
            } => format!(
                "SMS opt-out of {phone} ({reason}{})",
                result_code_id.map_or(String::new(), |c| format!(", result code {c}"))
            ),
            VanAction::SurveyResponse {
                survey_question_id,
                survey_response_id,
                answer,
                ..
            } => format!(
                "survey question {survey_question_id}: response {survey_response_id} ({answer:?})"
            ),
        }
    }
}

/// One write the sync intends to make.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlannedVanWrite {
    /// The idempotency key (the ledger's primary key).
    pub key: String,
    /// The rule.
    pub rule: Rule,
    /// The canonical person it is about.
    pub person: String,
    /// What it does.
    pub action: VanAction,
    /// The source records it comes from.
    pub sources: Vec<SourceRef>,
    /// Its ledger status when planned (`None`: never planned before).
    pub ledger: Option<LedgerStatus>,
}

impl PlannedVanWrite {
    /// Whether the ledger already has it written.
    pub fn is_written(&self) -> bool {
        self.ledger == Some(LedgerStatus::Written)
    }

    /// Whether a previous run sent it and never learned the outcome.
    pub fn is_in_doubt(&self) -> bool {
        self.ledger == Some(LedgerStatus::Sending) && !self.action.is_idempotent()
    }

    /// Whether a push would send it.
    pub fn will_send(&self) -> bool {
        !self.is_written() && !self.is_in_doubt()
    }
}

/// How a person's VAN id is (or will be) known.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum Resolution {
    /// A source record from the committee's VAN is linked to the person.
    Link,
    /// An earlier push found or created them (the ledger keeps the id).
    Ledger,
    /// `POST /people/findOrCreate` with this combination and body.
    FindOrCreate {
        /// The combination sent.
        combination: Combination,
        /// The body sent.
        body: Box<canvass_van::models::Person>,
    },
}

/// A person some write is about.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlannedPerson {
    /// The canonical id.
    pub canonical_id: String,
    /// First and last name, for reports.
    pub name: String,
    /// The VAN id, when already known.
    pub van_id: Option<u64>,
    /// How the VAN id is known or will be found.
    pub resolution: Resolution,
    /// The ledger key of the person's resolution entry.
    pub resolve_key: String,
}

/// A person no write can be made for: no source record carries a VAN match
/// combination. Reported, never created in VAN.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnmatchablePerson {
    /// The canonical id.
    pub canonical_id: String,
    /// Name, for reports.
    pub name: String,
    /// What VAN would need.
    pub reason: String,
    /// Writes held back, by rule.
    pub blocked: BTreeMap<Rule, u64>,
}

/// One committee's plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetPlan {
    /// The target's name in the config.
    pub target: String,
    /// The push ledger's target (`van:<name>`).
    pub ledger_target: String,
    /// Every write the sources call for, ordered by rule then key (written
    /// ones included, so a plan shows what is already done).
    pub writes: Vec<PlannedVanWrite>,
    /// The people the writes are about, by canonical id.
    pub people: BTreeMap<String, PlannedPerson>,
    /// People held back for lack of a match combination.
    pub unmatchable: Vec<UnmatchablePerson>,
    /// Source records no rule could map, counted by reason
    /// (`tag "GOTV" has no activist code`).
    pub unmapped: BTreeMap<String, u64>,
    /// Events to create in VAN (rule `create_events`), ordered by key;
    /// created ones included, so a plan shows what is already done.
    #[serde(default)]
    pub events: Vec<PlannedEvent>,
}

/// The whole plan: one [`TargetPlan`] per committee.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// Per committee, in config order.
    pub targets: Vec<TargetPlan>,
    /// How many writes of each rule a summary samples.
    pub sample_size: usize,
    /// Above this many pending activist codes (or survey responses) per
    /// committee, a push uses a bulk import job.
    pub bulk_threshold: usize,
}

/// Everything planning reads, gathered from the warehouse beforehand.
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    /// Canonical people with their links.
    pub people: BTreeMap<String, CanonicalPerson>,
    /// Source person records by canonical id, ordered by source.
    pub person_records: BTreeMap<String, Vec<Person>>,
    /// RSVPs with their canonical person.
    pub attendances: Vec<(Attendance, Option<String>)>,
    /// Tag names by tag.
    pub tags: HashMap<SourceRef, String>,
    /// Taggings with their canonical person.
    pub taggings: Vec<(Tagging, Option<String>)>,
    /// Contact attempts with their canonical person.
    pub contact_attempts: Vec<(ContactAttempt, Option<String>)>,
    /// Opt-outs with their canonical person.
    pub opt_outs: Vec<(OptOut, Option<String>)>,
    /// Survey questions by ref.
    pub survey_questions: HashMap<SourceRef, SurveyQuestion>,
    /// Survey answers with their canonical person.
    pub survey_responses: Vec<(SurveyResponse, Option<String>)>,
    /// Source events by ref (read only when a target creates events).
    pub events: HashMap<SourceRef, Event>,
    /// Source shifts by their event's ref.
    pub shifts: HashMap<SourceRef, Vec<Shift>>,
    /// The push ledger: status and outcome id by key.
    pub ledger: HashMap<String, (LedgerStatus, Option<String>)>,
}

/// A write before person resolution.
struct Draft {
    key: String,
    rule: Rule,
    person: String,
    action: VanAction,
    sources: Vec<SourceRef>,
}

fn bump(map: &mut BTreeMap<String, u64>, reason: String) {
    *map.entry(reason).or_insert(0) += 1;
}

fn opt(id: Option<u64>) -> String {
    id.map_or_else(|| "-".to_string(), |i| i.to_string())
}

/// The ledger key of a person's resolution into a committee.
pub fn resolve_key(ledger_target: &str, canonical_id: &str) -> String {
    idempotency_key(&[ledger_target, RESOLVE_PERSON_RULE, canonical_id])
}

/// Plans one committee's writes. Pure: no I/O, deterministic order.
pub fn plan_target(target: &TargetConfig, inputs: &Inputs) -> TargetPlan {
    let lt = target.ledger_target();
    let mut unmapped = BTreeMap::new();
    let mut drafts: Vec<Draft> = Vec::new();
    let mut events: BTreeMap<SourceRef, Option<PlannedEvent>> = BTreeMap::new();
    if target.runs(Rule::RsvpsToSignups) {
        plan_signups(target, &lt, inputs, &mut drafts, &mut unmapped, &mut events);
    }
    if target.runs(Rule::TagsToActivistCodes) {
        plan_activist_codes(target, &lt, inputs, &mut drafts, &mut unmapped);
    }
    if target.runs(Rule::TextsToContactHistory) {
        plan_contact_history(target, &lt, inputs, &mut drafts, &mut unmapped);
    }
    if target.runs(Rule::OptOuts) {
        plan_opt_outs(target, &lt, inputs, &mut drafts, &mut unmapped);
    }
    if target.runs(Rule::SurveyResponses) {
        plan_survey_responses(target, &lt, inputs, &mut drafts, &mut unmapped);
    }

    // Resolve each person once.
    let mut people = BTreeMap::new();
    let mut unmatchable: BTreeMap<String, UnmatchablePerson> = BTreeMap::new();
    let persons: BTreeSet<&str> = drafts.iter().map(|d| d.person.as_str()).collect();
    for cid in persons {
        let canonical = inputs.people.get(cid);
        let name = canonical
            .map(|c| {
                format!(
                    "{} {}",
                    c.person.given_name.as_deref().unwrap_or("?"),
                    c.person.family_name.as_deref().unwrap_or("?")
                )
            })
            .unwrap_or_else(|| "?".into());
        let rkey = resolve_key(&lt, cid);
        let linked = canonical
            .and_then(|c| c.id_in(target.link_system()))
            .and_then(|id| id.parse::<u64>().ok());
        let ledgered = inputs
            .ledger
            .get(&rkey)
            .filter(|(s, _)| *s == LedgerStatus::Written)
            .and_then(|(_, o)| o.as_deref())
            .and_then(|o| o.parse::<u64>().ok());
        let (van_id, resolution) = match (linked, ledgered) {
            (Some(id), _) => (Some(id), Resolution::Link),
            (None, Some(id)) => (Some(id), Resolution::Ledger),
            (None, None) => {
                let records = inputs
                    .person_records
                    .get(cid)
                    .map(Vec::as_slice)
                    .unwrap_or_default();
                match find_or_create_body(records) {
                    Ok((combination, body)) => (
                        None,
                        Resolution::FindOrCreate {
                            combination,
                            body: Box::new(body),
                        },
                    ),
                    Err(reason) => {
                        unmatchable.insert(
                            cid.to_string(),
                            UnmatchablePerson {
                                canonical_id: cid.to_string(),
                                name,
                                reason,
                                blocked: BTreeMap::new(),
                            },
                        );
                        continue;
                    }
                }
            }
        };
        people.insert(
            cid.to_string(),
            PlannedPerson {
                canonical_id: cid.to_string(),
                name,
                van_id,
                resolution,
                resolve_key: rkey,
            },
        );
    }

    let mut writes = Vec::new();
    for d in drafts {
        if let Some(u) = unmatchable.get_mut(&d.person) {
            *u.blocked.entry(d.rule).or_insert(0) += 1;
            continue;
        }
        let ledger = inputs.ledger.get(&d.key).map(|(s, _)| s.clone());
        writes.push(PlannedVanWrite {
            key: d.key,
            rule: d.rule,
            person: d.person,
            action: d.action,
            sources: d.sources,
            ledger,
        });
    }
    writes.sort_by(|a, b| (a.rule, &a.key).cmp(&(b.rule, &b.key)));
    writes.dedup_by(|a, b| a.key == b.key);
    // Only events some remaining signup needs are created.
    let needed: BTreeSet<&str> = writes
        .iter()
        .filter_map(|w| match &w.action {
            VanAction::Signup {
                created: Some(c), ..
            } => Some(c.event_key.as_str()),
            _ => None,
        })
        .collect();
    let mut events: Vec<PlannedEvent> = events
        .into_values()
        .flatten()
        .filter(|e| needed.contains(e.key.as_str()) || e.is_in_doubt())
        .collect();
    events.sort_by(|a, b| a.key.cmp(&b.key));
    TargetPlan {
        target: target.name.clone(),
        ledger_target: lt,
        writes,
        people,
        unmatchable: unmatchable.into_values().collect(),
        unmapped,
        events,
    }
}

/// The ledger key of creating a source event in a committee.
pub fn create_event_key(ledger_target: &str, event: &SourceRef) -> String {
    idempotency_key(&[ledger_target, CREATE_EVENT_RULE, &event.to_string()])
}

fn van_time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
}

/// The `POST /events` body for a canonical event and its shifts, with the
/// source shifts in the body's shift order; `Err` says why it cannot be
/// created.
pub fn create_event_body(
    config: &CreateEvents,
    event: &Event,
    shifts: &[Shift],
) -> Result<(canvass_van::models::Event, Vec<SourceRef>), String> {
    use canvass_van::models::{Event as VanEvent, EventShift, EventTypeRef, Role};
    let mut usable: Vec<&Shift> = shifts
        .iter()
        .filter(|s| matches!((s.starts_at, s.ends_at), (Some(a), Some(b)) if b > a))
        .collect();
    usable.sort_by(|a, b| (a.starts_at, &a.source).cmp(&(b.starts_at, &b.source)));
    let start = event
        .starts_at
        .or_else(|| usable.iter().filter_map(|s| s.starts_at).min());
    let end = event
        .ends_at
        .or_else(|| usable.iter().filter_map(|s| s.ends_at).max());
    let (start, end) = match (start, end) {
        (Some(a), Some(b)) if b > a => (a, b),
        (Some(_), Some(_)) => return Err("its end is not after its start".into()),
        (None, _) => return Err("it has no start time".into()),
        (_, None) => return Err("it has no end time".into()),
    };
    let title = event.title.trim();
    if title.is_empty() {
        return Err("it has no title".into());
    }
    let mut van_shifts: Vec<EventShift> = usable
        .iter()
        .enumerate()
        .map(|(i, s)| EventShift {
            name: Some(
                s.name
                    .clone()
                    .filter(|n| !n.trim().is_empty())
                    .unwrap_or_else(|| format!("Shift {}", i + 1)),
            ),
            start_time: s.starts_at.map(van_time),
            end_time: s.ends_at.map(van_time),
            ..EventShift::default()
        })
        .collect();
    let refs: Vec<SourceRef> = usable.iter().map(|s| s.source.clone()).collect();
    if van_shifts.is_empty() {
        van_shifts.push(EventShift {
            name: Some("Full Event".into()),
            start_time: Some(van_time(start)),
            end_time: Some(van_time(end)),
            ..EventShift::default()
        });
    }
    let body = VanEvent {
        name: title.to_string(),
        short_name: Some(title.chars().take(12).collect()),
        description: event.description.clone(),
        start_date: Some(van_time(start)),
        end_date: Some(van_time(end)),
        event_type: Some(EventTypeRef {
            event_type_id: config.event_type_id,
            name: None,
        }),
        shifts: Some(van_shifts),
        roles: Some(vec![Role {
            role_id: config.role_id,
            ..Role::default()
        }]),
        ..VanEvent::default()
    };
    Ok((body, refs))
}

/// The planned creation of a source event (`None`, with the reason counted
/// in `unmapped`, when it cannot be created or its creation is unresolved).
fn plan_event(
    config: &CreateEvents,
    lt: &str,
    inputs: &Inputs,
    event: &SourceRef,
    unmapped: &mut BTreeMap<String, u64>,
) -> Option<PlannedEvent> {
    let key = create_event_key(lt, event);
    let ledger = inputs.ledger.get(&key);
    let status = ledger.map(|(s, _)| s.clone());
    let created = ledger
        .filter(|(s, _)| *s == LedgerStatus::Written)
        .and_then(|(_, o)| o.as_deref())
        .and_then(CreatedEvent::from_outcome);
    let built = match inputs.events.get(event) {
        Some(source) => create_event_body(
            config,
            source,
            inputs
                .shifts
                .get(event)
                .map(Vec::as_slice)
                .unwrap_or_default(),
        ),
        None => Err("it is not in the warehouse".to_string()),
    };
    let op = inputs.events.get(event).map(|source| WriteOp::CreateEvent {
        event: Box::new(source.clone()),
        shifts: inputs.shifts.get(event).cloned().unwrap_or_default(),
    });
    let (body, shifts) = match built {
        Ok(b) => b,
        // Created already: the body is not needed again.
        Err(_) if created.is_some() => (canvass_van::models::Event::default(), Vec::new()),
        Err(why) => {
            bump(
                unmapped,
                format!(
                    "event {event} has no VAN event mapping and cannot be created in VAN: {why}"
                ),
            );
            return None;
        }
    };
    Some(PlannedEvent {
        key,
        source: event.clone(),
        shifts,
        body: Box::new(body),
        op,
        ledger: status,
        created,
    })
}

fn plan_signups(
    target: &TargetConfig,
    lt: &str,
    inputs: &Inputs,
    drafts: &mut Vec<Draft>,
    unmapped: &mut BTreeMap<String, u64>,
    events: &mut BTreeMap<SourceRef, Option<PlannedEvent>>,
) {
    // (person, event, shift, role) as key parts → the latest RSVP, its
    // status id and the signup it makes.
    type Slot = (String, String, String, String);
    struct Dest {
        event_id: u64,
        shift_id: Option<u64>,
        role_id: Option<u64>,
        created: Option<SignupToCreated>,
    }
    let mut latest: BTreeMap<Slot, (&Attendance, u64, Dest)> = BTreeMap::new();
    for (a, cid) in &inputs.attendances {
        if !target.reads_from(&a.source.system) {
            continue;
        }
        let Some(cid) = cid else {
            bump(unmapped, "RSVP whose person is not resolved".into());
            continue;
        };
        let Some(status_id) = target.signup_status_id(a.status.as_str()) else {
            bump(
                unmapped,
                format!(
                    "RSVP status {:?} has no VAN signup status",
                    a.status.as_str()
                ),
            );
            continue;
        };
        let (slot, dest) = if let Some(mapping) = target.events.get(&a.event.to_string()) {
            let shift = a
                .shift
                .as_ref()
                .and_then(|s| mapping.shifts.get(&s.to_string()).copied())
                .or(mapping.shift_id);
            (
                (
                    cid.clone(),
                    mapping.event_id.to_string(),
                    opt(shift),
                    opt(mapping.role_id),
                ),
                Dest {
                    event_id: mapping.event_id,
                    shift_id: shift,
                    role_id: mapping.role_id,
                    created: None,
                },
            )
        } else if let Some(config) = target.creates_events() {
            let planned = events
                .entry(a.event.clone())
                .or_insert_with(|| plan_event(config, lt, inputs, &a.event, unmapped));
            let Some(planned) = planned else {
                continue;
            };
            if planned.is_in_doubt() {
                bump(
                    unmapped,
                    format!(
                        "event {}: its creation in VAN is in doubt (resolve it, or map the event under events)",
                        a.event
                    ),
                );
                continue;
            }
            if planned.is_written() && planned.created.is_none() {
                bump(
                    unmapped,
                    format!(
                        "event {} was created in VAN but its id is not recorded: map it under events",
                        a.event
                    ),
                );
                continue;
            }
            let known = planned.created.as_ref();
            (
                (
                    cid.clone(),
                    format!("create:{}", a.event),
                    a.shift
                        .as_ref()
                        .map_or_else(|| "-".to_string(), SourceRef::to_string),
                    config.role_id.to_string(),
                ),
                Dest {
                    event_id: known.map_or(0, |c| c.event_id),
                    shift_id: known.and_then(|c| c.shift_for(a.shift.as_ref())),
                    role_id: Some(config.role_id),
                    created: Some(SignupToCreated {
                        event_key: planned.key.clone(),
                        event: a.event.clone(),
                        shift: a.shift.clone(),
                    }),
                },
            )
        } else {
            bump(
                unmapped,
                format!("event {} has no VAN event mapping", a.event),
            );
            continue;
        };
        let newer = latest
            .get(&slot)
            .is_none_or(|(b, _, _)| (a.modified_at, &a.source) > (b.modified_at, &b.source));
        if newer {
            latest.insert(slot, (a, status_id, dest));
        }
    }
    for ((cid, event, shift, role), (a, status_id, dest)) in latest {
        let source = a.source.to_string();
        let key = idempotency_key(&[
            lt,
            Rule::RsvpsToSignups.as_str(),
            &source,
            &event,
            &shift,
            &role,
            &status_id.to_string(),
        ]);
        drafts.push(Draft {
            key,
            rule: Rule::RsvpsToSignups,
            person: cid,
            action: VanAction::Signup {
                event_id: dest.event_id,
                shift_id: dest.shift_id,
                role_id: dest.role_id,
                status: a.status.as_str().to_string(),
                status_id,
                created: dest.created,
            },
            sources: vec![a.source.clone()],
        });
    }
}

fn plan_activist_codes(
    target: &TargetConfig,
    lt: &str,
    inputs: &Inputs,
    drafts: &mut Vec<Draft>,
    unmapped: &mut BTreeMap<String, u64>,
) {
    let mut groups: BTreeMap<(String, u64), (String, BTreeSet<SourceRef>)> = BTreeMap::new();
    for (t, cid) in &inputs.taggings {
        if !target.reads_from(&t.source.system) {
            continue;
        }
        let Some(cid) = cid else {
            bump(unmapped, "tagging whose person is not resolved".into());
            continue;
        };
        let Some(name) = inputs.tags.get(&t.tag) else {
            bump(unmapped, format!("tagging of unknown tag {}", t.tag));
            continue;
        };
        let Some(code) = target.activist_code(name) else {
            bump(unmapped, format!("tag {name:?} has no activist code"));
            continue;
        };
        let entry = groups
            .entry((cid.clone(), code))
            .or_insert_with(|| (name.clone(), BTreeSet::new()));
        entry.1.insert(t.source.clone());
        if *name < entry.0 {
            entry.0 = name.clone();
        }
    }
    for ((cid, code), (tag, sources)) in groups {
        let key = idempotency_key(&[
            lt,
            Rule::TagsToActivistCodes.as_str(),
            &cid,
            &code.to_string(),
        ]);
        drafts.push(Draft {
            key,
            rule: Rule::TagsToActivistCodes,
            person: cid,
            action: VanAction::ApplyActivistCode {
                activist_code_id: code,
                tag,
            },
            sources: sources.into_iter().collect(),
        });
    }
}

fn plan_contact_history(
    target: &TargetConfig,
    lt: &str,
    inputs: &Inputs,
    drafts: &mut Vec<Draft>,
    unmapped: &mut BTreeMap<String, u64>,
) {
    type Day = (String, Option<String>, NaiveDate, ContactResult);
    struct Group {
        person_ref: Option<SourceRef>,
        phone: Option<String>,
        sources: BTreeSet<SourceRef>,
    }
    let mut groups: BTreeMap<Day, Group> = BTreeMap::new();
    for (c, cid) in &inputs.contact_attempts {
        if !target.reads_from(&c.source.system) || c.channel != Channel::Sms {
            continue;
        }
        let Some(cid) = cid else {
            bump(
                unmapped,
                "contact attempt whose person is not resolved".into(),
            );
            continue;
        };
        if !target.result_code_ids.contains_key(c.result.as_str()) {
            bump(
                unmapped,
                format!("contact result {:?} has no result code", c.result.as_str()),
            );
            continue;
        }
        let Some(at) = c.attempted_at else {
            bump(unmapped, "contact attempt without a time".into());
            continue;
        };
        let g = groups
            .entry((
                cid.clone(),
                c.campaign.clone(),
                at.date_naive(),
                c.result.clone(),
            ))
            .or_insert_with(|| Group {
                person_ref: None,
                phone: None,
                sources: BTreeSet::new(),
            });
        if let Some(p) = &c.person
            && g.person_ref.as_ref().is_none_or(|old| p < old)
        {
            g.person_ref = Some(p.clone());
        }
        if g.phone.is_none() {
            g.phone = c.contact.clone().filter(|p| p.starts_with('+'));
        }
        g.sources.insert(c.source.clone());
    }
    for ((cid, campaign, date, result), g) in groups {
        let Some(code) = target.result_code_ids.get(result.as_str()).copied() else {
            continue;
        };
        let who = g
            .person_ref
            .as_ref()
            .map_or_else(|| cid.clone(), SourceRef::to_string);
        let key = idempotency_key(&[
            lt,
            Rule::TextsToContactHistory.as_str(),
            &who,
            campaign.as_deref().unwrap_or("-"),
            &date.to_string(),
            result.as_str(),
        ]);
        let phone = g
            .phone
            .or_else(|| inputs.people.get(&cid).and_then(|p| p.person.phone.clone()));
        drafts.push(Draft {
            key,
            rule: Rule::TextsToContactHistory,
            person: cid,
            action: VanAction::ContactHistory {
                result,
                result_code_id: code,
                contact_type_id: target.sms_contact_type(),
                phone,
                date,
                campaign,
            },
            sources: g.sources.into_iter().collect(),
        });
    }
}

fn plan_opt_outs(
    target: &TargetConfig,
    lt: &str,
    inputs: &Inputs,
    drafts: &mut Vec<Draft>,
    unmapped: &mut BTreeMap<String, u64>,
) {
    let mut groups: BTreeMap<(String, String), Vec<&OptOut>> = BTreeMap::new();
    for (o, cid) in &inputs.opt_outs {
        if !target.reads_from(&o.source.system) {
            continue;
        }
        if o.channel != Channel::Sms {
            bump(
                unmapped,
                format!("{} opt-outs are not pushed to VAN", o.channel.as_str()),
            );
            continue;
        }
        let Some(cid) = cid else {
            bump(unmapped, "opt-out whose person is not resolved".into());
            continue;
        };
        if !o.identifier.starts_with('+') {
            bump(unmapped, "opt-out of an invalid phone number".into());
            continue;
        }
        groups
            .entry((cid.clone(), o.identifier.clone()))
            .or_default()
            .push(o);
    }
    for ((cid, phone), mut outs) in groups {
        // The latest opt-out says why (undated ones count as oldest).
        outs.sort_by(|a, b| (a.opted_out_at, &a.source).cmp(&(b.opted_out_at, &b.source)));
        let Some(last) = outs.last() else {
            continue;
        };
        let who = outs
            .iter()
            .filter_map(|o| o.person.as_ref())
            .min()
            .map_or_else(|| cid.clone(), SourceRef::to_string);
        let key = idempotency_key(&[lt, Rule::OptOuts.as_str(), &phone, &who]);
        drafts.push(Draft {
            key,
            rule: Rule::OptOuts,
            person: cid,
            action: VanAction::SmsOptOut {
                phone,
                reason: last.reason.clone(),
                result_code_id: target.opt_out_result_code(last.reason.as_str()),
                contact_type_id: target.sms_contact_type(),
                at: last.opted_out_at,
            },
            sources: outs.iter().map(|o| o.source.clone()).collect(),
        });
    }
}

/// The VAN answer for a source answer (text or option id, case-insensitive).
fn answer_id(answers: &BTreeMap<String, u64>, candidates: &[&str]) -> Option<u64> {
    candidates.iter().find_map(|c| {
        let c = c.trim().to_lowercase();
        answers
            .iter()
            .find(|(k, _)| k.trim().to_lowercase() == c)
            .map(|(_, v)| *v)
    })
}

fn plan_survey_responses(
    target: &TargetConfig,
    lt: &str,
    inputs: &Inputs,
    drafts: &mut Vec<Draft>,
    unmapped: &mut BTreeMap<String, u64>,
) {
    // (person, VAN question) → (answered at, source, answer, VAN response).
    type Answer = (Option<DateTime<Utc>>, SourceRef, String, u64);
    let mut latest: BTreeMap<(String, u64), Answer> = BTreeMap::new();
    let mut offer = |cid: &str, q: u64, a: Answer| {
        let slot = latest
            .entry((cid.to_string(), q))
            .or_insert_with(|| a.clone());
        if (&a.0, &a.1) > (&slot.0, &slot.1) {
            *slot = a;
        }
    };
    for (r, cid) in &inputs.survey_responses {
        if !target.reads_from(&r.source.system) {
            continue;
        }
        let Some(cid) = cid else {
            bump(
                unmapped,
                "survey answer whose person is not resolved".into(),
            );
            continue;
        };
        let name = inputs
            .survey_questions
            .get(&r.question)
            .map(|q| q.name.as_str());
        let mapping = target.surveys.iter().find(|m| {
            m.question == r.question.to_string()
                || name.is_some_and(|n| n.trim().eq_ignore_ascii_case(m.question.trim()))
        });
        let Some(m) = mapping else {
            bump(
                unmapped,
                format!(
                    "survey question {} has no VAN mapping",
                    name.map_or_else(|| r.question.to_string(), str::to_string)
                ),
            );
            continue;
        };
        let mut candidates = vec![r.answer.as_str()];
        if let Some(o) = &r.option_id {
            candidates.push(o);
        }
        let Some(rid) = answer_id(&m.answers, &candidates) else {
            bump(
                unmapped,
                format!(
                    "answer {:?} to {} has no VAN response",
                    r.answer, m.question
                ),
            );
            continue;
        };
        offer(
            cid,
            m.survey_question_id,
            (r.answered_at, r.source.clone(), r.answer.clone(), rid),
        );
    }
    // Form fields: custom fields of person records.
    for m in &target.surveys {
        let Some(field) = m.question.strip_prefix("custom_field:") else {
            continue;
        };
        for (cid, records) in &inputs.person_records {
            for p in records {
                if !target.reads_from(&p.source.system) {
                    continue;
                }
                let Some(value) = p.custom_fields.get(field) else {
                    continue;
                };
                let text = match value {
                    serde_json::Value::String(s) => s.clone(),
                    serde_json::Value::Null => continue,
                    other => other.to_string(),
                };
                let Some(rid) = answer_id(&m.answers, &[text.as_str()]) else {
                    bump(
                        unmapped,
                        format!("answer {text:?} to {} has no VAN response", m.question),
                    );
                    continue;
                };
                offer(
                    cid,
                    m.survey_question_id,
                    (p.modified_at, p.source.clone(), text, rid),
                );
            }
        }
    }
    for ((cid, q), (at, source, answer, rid)) in latest {
        let key = idempotency_key(&[
            lt,
            Rule::SurveyResponses.as_str(),
            &source.to_string(),
            &q.to_string(),
            &rid.to_string(),
        ]);
        drafts.push(Draft {
            key,
            rule: Rule::SurveyResponses,
            person: cid,
            action: VanAction::SurveyResponse {
                survey_question_id: q,
                survey_response_id: rid,
                answer,
                at,
            },
            sources: vec![source],
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use canvass_core::{AttendanceStatus, Email};
    use canvass_sync::CanonicalPersonRow;
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn at(day: u32, hour: u32) -> Option<DateTime<Utc>> {
        Utc.with_ymd_and_hms(2026, 10, day, hour, 0, 0).single()
    }

    fn inputs() -> Inputs {
        let mut i = Inputs::default();
        for (cid, sys, id) in [("cp-a", "hustle", "h1"), ("cp-b", "strive", "s1")] {
            i.people.insert(
                cid.into(),
                CanonicalPerson {
                    person: CanonicalPersonRow {
                        canonical_id: cid.into(),
                        given_name: Some("Ana".into()),
                        family_name: Some(id.into()),
                        email: None,
                        phone: Some("+14045550100".into()),
                        source_count: 1,
                    },
                    links: vec![],
                    statuses: vec![],
                },
            );
            i.person_records.insert(
                cid.into(),
                vec![Person {
                    source: SourceRef::new(sys, id),
                    given_name: Some("Ana".into()),
                    family_name: Some(id.into()),
                    emails: vec![Email::parse(&format!("{id}@example.org"))],
                    ..Person::default()
                }],
            );
        }
        i
    }

    fn texting(
        id: &str,
        person: &str,
        day: u32,
        hour: u32,
        result: ContactResult,
    ) -> ContactAttempt {
        ContactAttempt {
            source: SourceRef::new("hustle", id),
            person: Some(SourceRef::new("hustle", person)),
            contact: None,
            channel: Channel::Sms,
            result,
            attempted_at: at(day, hour),
            campaign: Some("gotv".into()),
            extra: Default::default(),
        }
    }

    fn target() -> TargetConfig {
        let mut t = TargetConfig::new("state");
        t.result_code_ids = [("texted".to_string(), 1), ("canvassed".to_string(), 2)].into();
        t.opt_out_result_code_ids = [
            ("wrong_number".to_string(), 20),
            ("default".to_string(), 30),
        ]
        .into();
        t
    }

    #[test]
    fn texted_is_written_once_per_person_campaign_and_day() {
        let mut i = inputs();
        for (n, (day, hour)) in [(1, 9), (1, 15), (1, 20), (2, 9)].into_iter().enumerate() {
            i.contact_attempts.push((
                texting(&format!("m{n}"), "h1", day, hour, ContactResult::Texted),
                Some("cp-a".into()),
            ));
        }
        i.contact_attempts.push((
            texting("r1", "h1", 1, 16, ContactResult::Canvassed),
            Some("cp-a".into()),
        ));
        let plan = plan_target(&target(), &i);
        let days: Vec<(String, u64)> = plan
            .writes
            .iter()
            .filter_map(|w| match &w.action {
                VanAction::ContactHistory {
                    date,
                    result_code_id,
                    phone,
                    ..
                } => {
                    assert_eq!(phone.as_deref(), Some("+14045550100"), "the person's phone");
                    Some((date.to_string(), *result_code_id))
                }
                _ => None,
            })
            .collect();
        let mut days = days;
        days.sort();
        assert_eq!(
            days,
            vec![
                ("2026-10-01".to_string(), 1),
                ("2026-10-01".to_string(), 2),
                ("2026-10-02".to_string(), 1)
            ]
        );
        assert_eq!(days.len(), 3, "{days:?}");
    }

    #[test]
    fn the_latest_opt_out_says_why_and_email_opt_outs_are_counted_not_pushed() {
        let mut i = inputs();
        let out = |id: &str, reason: OptOutReason, day: u32, channel: Channel| OptOut {
            source: SourceRef::new("strive", id),
            person: Some(SourceRef::new("strive", "s1")),
            channel,
            identifier: "+14045550100".into(),
            reason,
            opted_out_at: at(day, 9),
            extra: Default::default(),
        };
        i.opt_outs.push((
            out("o1", OptOutReason::Requested, 1, Channel::Sms),
            Some("cp-b".into()),
        ));
        i.opt_outs.push((
            out("o2", OptOutReason::WrongNumber, 3, Channel::Sms),
            Some("cp-b".into()),
        ));
        i.opt_outs.push((
            out("o3", OptOutReason::Requested, 2, Channel::Email),
            Some("cp-b".into()),
        ));
        let plan = plan_target(&target(), &i);
        assert_eq!(plan.writes.len(), 1);
        match &plan.writes[0].action {
            VanAction::SmsOptOut {
                reason,
                result_code_id,
                ..
            } => {
                assert_eq!(reason, &OptOutReason::WrongNumber);
                assert_eq!(*result_code_id, Some(20));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(plan.writes[0].sources.len(), 2);
        assert_eq!(
            plan.unmapped.get("email opt-outs are not pushed to VAN"),
            Some(&1)
        );
    }

    #[test]
    fn survey_answers_map_by_question_name_and_option_id_and_the_latest_wins() {
        let mut i = inputs();
        let q = SourceRef::new("spoke", "q1");
        i.survey_questions.insert(
            q.clone(),
            SurveyQuestion {
                source: q.clone(),
                name: "Support?".into(),
                question: None,
                options: vec![],
                extra: Default::default(),
            },
        );
        let answer = |id: &str, text: &str, option: Option<&str>, day: u32| SurveyResponse {
            source: SourceRef::new("spoke", id),
            answered_at: at(day, 9),
            person: SourceRef::new("spoke", "x"),
            question: q.clone(),
            answer: text.into(),
            option_id: option.map(str::to_string),
            extra: Default::default(),
        };
        i.survey_responses.push((
            answer("r1", "Yes!", Some("opt-yes"), 1),
            Some("cp-a".into()),
        ));
        i.survey_responses
            .push((answer("r2", "no", None, 2), Some("cp-a".into())));
        i.survey_responses
            .push((answer("r3", "maybe", None, 1), Some("cp-b".into())));
        let mut t = target();
        t.surveys = vec![crate::config::SurveyMapping {
            question: "support?".into(),
            survey_question_id: 500,
            answers: [("OPT-YES".to_string(), 501), ("No".to_string(), 502)].into(),
        }];
        let plan = plan_target(&t, &i);
        let got: Vec<(String, u64)> = plan
            .writes
            .iter()
            .filter_map(|w| match &w.action {
                VanAction::SurveyResponse {
                    survey_response_id, ..
                } => Some((w.person.clone(), *survey_response_id)),
                _ => None,
            })
            .collect();
        assert_eq!(
            got,
            vec![("cp-a".to_string(), 502)],
            "the later answer wins"
        );
        assert_eq!(
            plan.unmapped
                .get("answer \"maybe\" to support? has no VAN response"),
            Some(&1)
        );
    }

    #[test]
    fn a_new_status_is_a_new_key_and_the_same_facts_the_same_key() {
        let mut i = inputs();
        let rsvp = |status: AttendanceStatus| Attendance {
            source: SourceRef::new("mobilize", "a1"),
            modified_at: at(1, 9),
            person: SourceRef::new("mobilize", "p1"),
            event: SourceRef::new("mobilize", "12"),
            shift: None,
            status,
            extra: Default::default(),
        };
        let mut t = target();
        t.events.insert(
            "mobilize:12".into(),
            crate::config::EventMapping {
                event_id: 7,
                ..Default::default()
            },
        );
        i.attendances = vec![(rsvp(AttendanceStatus::Registered), Some("cp-a".into()))];
        let a = plan_target(&t, &i);
        let b = plan_target(&t, &i);
        assert_eq!(a, b, "planning is deterministic");
        i.attendances = vec![(rsvp(AttendanceStatus::Attended), Some("cp-a".into()))];
        let c = plan_target(&t, &i);
        assert_ne!(a.writes[0].key, c.writes[0].key);
    }

    #[test]
    fn an_unmapped_event_is_created_once_and_its_signup_keeps_its_key_once_created() {
        let mut i = inputs();
        let event = SourceRef::new("mobilize", "12");
        i.events.insert(
            event.clone(),
            Event {
                source: event.clone(),
                modified_at: None,
                title: "Canvass".into(),
                description: None,
                starts_at: at(1, 9),
                ends_at: at(1, 12),
                timezone: None,
                event_type: None,
                location: None,
                venue: None,
                visibility: None,
                is_virtual: None,
                tags: vec![],
                browser_url: None,
                extra: Default::default(),
            },
        );
        let rsvp = |id: &str, person: &str| Attendance {
            source: SourceRef::new("mobilize", id),
            modified_at: at(1, 8),
            person: SourceRef::new("mobilize", person),
            event: event.clone(),
            shift: None,
            status: AttendanceStatus::Registered,
            extra: Default::default(),
        };
        i.attendances = vec![
            (rsvp("a1", "p1"), Some("cp-a".into())),
            (rsvp("a2", "p2"), Some("cp-b".into())),
        ];
        let mut t = target();
        let off = plan_target(&t, &i);
        assert!(off.events.is_empty());
        assert_eq!(
            off.unmapped
                .get("event mobilize:12 has no VAN event mapping"),
            Some(&2)
        );
        t.create_events = Some(CreateEvents {
            event_type_id: 5,
            role_id: 6,
        });
        let before = plan_target(&t, &i);
        assert_eq!(before.events.len(), 1, "one creation for two RSVPs");
        let e = &before.events[0];
        assert_eq!(e.key, create_event_key("van:state", &event));
        assert_eq!(e.body.shifts.as_ref().map(Vec::len), Some(1), "Full Event");
        assert_eq!(before.writes.len(), 2);
        // Created: the ledger outcome gives the ids, the keys stay.
        i.ledger.insert(
            e.key.clone(),
            (
                LedgerStatus::Written,
                Some(
                    CreatedEvent {
                        event_id: 77,
                        shifts: BTreeMap::new(),
                        first_shift: Some(78),
                    }
                    .to_outcome(),
                ),
            ),
        );
        let after = plan_target(&t, &i);
        assert!(after.events[0].is_written());
        let keys = |p: &TargetPlan| p.writes.iter().map(|w| w.key.clone()).collect::<Vec<_>>();
        assert_eq!(keys(&before), keys(&after));
        match &after.writes[0].action {
            VanAction::Signup {
                event_id,
                shift_id,
                role_id,
                ..
            } => assert_eq!((*event_id, *shift_id, *role_id), (77, Some(78), Some(6))),
            other => panic!("{other:?}"),
        }
        // In doubt: its signups wait, the creation is still shown.
        i.ledger
            .insert(e.key.clone(), (LedgerStatus::Sending, None));
        let doubt = plan_target(&t, &i);
        assert!(doubt.writes.is_empty());
        assert!(doubt.events[0].is_in_doubt());
    }

    proptest! {
        #[test]
        fn input_order_does_not_change_the_plan(seed in any::<u64>()) {
            let mut i = inputs();
            for n in 0..12u32 {
                let (person, cid) = if n % 2 == 0 { ("h1", "cp-a") } else { ("h2", "cp-b") };
                let result = if n % 3 == 0 { ContactResult::Canvassed } else { ContactResult::Texted };
                i.contact_attempts.push((texting(&format!("m{n}"), person, 1 + n % 3, n % 24, result), Some(cid.into())));
            }
            let first = plan_target(&target(), &i);
            // A deterministic shuffle from the seed.
            let mut s = seed;
            let len = i.contact_attempts.len();
            for k in (1..len).rev() {
                s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                i.contact_attempts.swap(k, (s >> 33) as usize % (k + 1));
            }
            prop_assert_eq!(plan_target(&target(), &i), first);
        }
    }
}
