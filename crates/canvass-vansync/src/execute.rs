//! Execution through the push ledger.
//!
//! For every write the ledger goes `planned` → `sending` (persisted just
//! before the VAN call) → `written` (with VAN's id) or `failed` (with VAN's
//! error). What a re-run does with each state:
//!
//! - `written`: nothing.
//! - `planned` or `failed`: sends it (a `failed` write is one VAN refused or
//!   that certainly did not reach it, so sending again cannot duplicate it).
//! - `sending` (a crash, a kill or a dropped connection between the call and
//!   the ledger commit): the call may or may not have reached VAN.
//!   Idempotent calls (signup upsert, activist code, findOrCreate, an opt-out
//!   without a result code) are sent again. Contact history, opt-outs with a
//!   result code and survey responses add a contact-history row per call:
//!   they are **not** re-sent, but reported as in doubt until resolved with
//!   [`VanSync::resolve_in_doubt`](crate::VanSync::resolve_in_doubt).
//!
//! Events (rule `create_events`) are created before any signup, one
//! `POST /events` each, then read back for their shift ids; the ledger
//! entry's outcome records the VAN event and shift ids (as JSON) so later
//! pushes sign people up to it instead of creating it again. Creating an
//! event is not idempotent: one left `sending` is in doubt, never re-sent,
//! and its signups wait until it is resolved (or the event is mapped).
//!
//! So signups and activist codes are written at least once and stored once;
//! contact history is written at most once, and exactly once unless a crash
//! lands in the window between VAN's answer and the ledger commit, which
//! then leaves at most `concurrency` writes in doubt, each named in the report.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use canvass_core::{AttendanceStatus, Channel, Error, SourceRef, WriteOp};
use canvass_sync::{LedgerStatus, PlannedWrite, Warehouse};
use canvass_van::VanClient;
use canvass_van::client::{BulkImportTable, Uploader};
use canvass_van::models::{
    self, CanvassContext, CanvassResponse, MappingType, ResponseItem, Signup,
};
use chrono::{DateTime, Utc};
use futures::StreamExt;

use crate::config::TargetConfig;
use crate::error::VanSyncError;
use crate::plan::{
    CREATE_EVENT_RULE, CreatedEvent, PlannedEvent, PlannedVanWrite, RESOLVE_PERSON_RULE,
    Resolution, TargetPlan, VanAction,
};
use crate::report::{
    BulkJobReport, FailedWrite, InDoubtWrite, PersonLabel, RuleCounts, TargetReport,
};
use crate::rules::Rule;

/// A person's resolution: their canonical id and VAN's answer (the VAN id
/// and whether VAN created them; `None` when the ledger already knew).
type Resolved = (String, Result<(u64, Option<bool>), Error>);

/// How one write ended.
enum Outcome {
    Written,
    AlreadyWritten,
    Failed(String),
    InDoubt(String),
}

/// An event as reports name it: its title and source ref.
fn event_label(e: &PlannedEvent) -> PersonLabel {
    PersonLabel {
        canonical_id: e.source.to_string(),
        name: e.body.name.clone(),
        van_id: None,
    }
}

/// Whether VAN may have applied a call that ended in `e`.
fn outcome_unknown(e: &Error) -> bool {
    match e {
        Error::Transport { .. } => true,
        Error::Api { status, .. } => *status >= 500,
        Error::Decode { .. } => true,
        _ => false,
    }
}

/// One committee's push.
pub(crate) struct Executor<'a> {
    pub(crate) warehouse: &'a dyn Warehouse,
    pub(crate) client: &'a VanClient,
    pub(crate) uploader: Option<&'a dyn Uploader>,
    pub(crate) target: &'a TargetConfig,
    pub(crate) plan: &'a TargetPlan,
    pub(crate) concurrency: usize,
    pub(crate) bulk_threshold: usize,
}

/// A pending write with its person's VAN id and, for signups, the VAN
/// event, shift and role known so far.
type Placed<'p> = (&'p PlannedVanWrite, u64, u64, Option<u64>, Option<u64>);

/// A write ready to send: its person's VAN id and, for signups, the shift
/// and role (the event's first when not mapped).
struct Ready<'p> {
    write: &'p PlannedVanWrite,
    van_id: u64,
    /// For signups: the VAN event (a created one's id once known).
    event_id: u64,
    shift_role: Option<(u64, u64)>,
}

impl<'a> Executor<'a> {
    fn label(&self, cid: &str, van_id: Option<u64>) -> PersonLabel {
        let p = self.plan.people.get(cid);
        PersonLabel {
            canonical_id: cid.to_string(),
            name: p.map(|p| p.name.clone()).unwrap_or_default(),
            van_id: van_id.or_else(|| p.and_then(|p| p.van_id)),
        }
    }

    pub(crate) async fn run(&self) -> Result<TargetReport, VanSyncError> {
        let mut report = TargetReport {
            target: self.target.name.clone(),
            ..TargetReport::default()
        };
        for u in &self.plan.unmatchable {
            report
                .unmatchable
                .push(format!("{} ({}): {}", u.name, u.canonical_id, u.reason));
            for (rule, n) in &u.blocked {
                report.rules.entry(*rule).or_default().blocked += n;
            }
        }
        // Writes the plan already saw written need nothing, not even their person.
        let mut pending: Vec<&PlannedVanWrite> = Vec::new();
        for w in &self.plan.writes {
            if w.is_written() {
                report.rules.entry(w.rule).or_default().already_written += 1;
            } else {
                pending.push(w);
            }
        }

        let van_ids = match self.resolve_people(&pending, &mut report).await? {
            Some(ids) => ids,
            None => return Ok(report),
        };
        let created = self.create_events(&mut report).await?;

        // Each signup's event, shift and role (a created event's from this
        // push or the ledger).
        let mut placed: Vec<Placed<'_>> = Vec::new();
        for w in pending {
            let Some(van_id) = van_ids.get(&w.person).copied() else {
                report.rules.entry(w.rule).or_default().blocked += 1;
                continue;
            };
            match &w.action {
                VanAction::Signup {
                    event_id,
                    shift_id,
                    role_id,
                    created: to_created,
                    ..
                } => match to_created {
                    None => placed.push((w, van_id, *event_id, *shift_id, *role_id)),
                    Some(c) => match created.get(&c.event_key) {
                        Some(e) => placed.push((
                            w,
                            van_id,
                            e.event_id,
                            e.shift_for(c.shift.as_ref()),
                            *role_id,
                        )),
                        // Its event was not created (failed, in doubt).
                        None => report.rules.entry(w.rule).or_default().blocked += 1,
                    },
                },
                _ => placed.push((w, van_id, 0, None, None)),
            }
        }
        let needs_defaults: Vec<u64> = placed
            .iter()
            .filter(|(w, _, _, s, r)| {
                matches!(w.action, VanAction::Signup { .. }) && (s.is_none() || r.is_none())
            })
            .map(|(_, _, e, _, _)| *e)
            .collect();
        let events = self.event_defaults(&needs_defaults, &mut report).await;

        let mut by_rule: BTreeMap<Rule, Vec<Ready<'_>>> = BTreeMap::new();
        for (w, van_id, event_id, shift_id, role_id) in placed {
            let shift_role = match &w.action {
                VanAction::Signup { .. } => match (shift_id, role_id) {
                    (Some(s), Some(r)) => Some((s, r)),
                    _ => match events.get(&event_id) {
                        Some(Ok((first_shift, first_role))) => {
                            match (shift_id.or(*first_shift), role_id.or(*first_role)) {
                                (Some(s), Some(r)) => Some((s, r)),
                                _ => {
                                    self.fail_unsent(
                                        &mut report,
                                        w,
                                        van_id,
                                        format!("VAN event {event_id} has no shift or no role to sign up for"),
                                    );
                                    continue;
                                }
                            }
                        }
                        Some(Err(e)) => {
                            self.fail_unsent(&mut report, w, van_id, e.clone());
                            continue;
                        }
                        None => {
                            self.fail_unsent(
                                &mut report,
                                w,
                                van_id,
                                format!("VAN event {event_id} was not read"),
                            );
                            continue;
                        }
                    },
                },
                _ => None,
            };
            by_rule.entry(w.rule).or_default().push(Ready {
                write: w,
                van_id,
                event_id,
                shift_role,
            });
        }

        for (rule, ready) in by_rule {
            if report.error.is_some() {
                report.rules.entry(rule).or_default().blocked += ready.len() as u64;
                continue;
            }
            let bulk = matches!(rule, Rule::TagsToActivistCodes | Rule::SurveyResponses)
                && ready.len() > self.bulk_threshold;
            match (bulk, self.uploader) {
                (true, Some(uploader)) => {
                    self.send_bulk(rule, ready, uploader, &mut report).await?
                }
                _ => self.send_each(rule, ready, &mut report).await?,
            }
        }
        Ok(report)
    }

    /// A write that could not be sent (its event could not be read): failed
    /// in the report, left as it was in the ledger (nothing was sent).
    fn fail_unsent(
        &self,
        report: &mut TargetReport,
        w: &PlannedVanWrite,
        van_id: u64,
        error: String,
    ) {
        report.rules.entry(w.rule).or_default().failed += 1;
        report.failures.push(FailedWrite {
            key: w.key.clone(),
            rule: w.rule.as_str().to_string(),
            person: self.label(&w.person, Some(van_id)),
            what: w.action.describe(),
            error,
        });
    }

    /// Every pending write's person's VAN id: from the plan, from the
    /// ledger, or by findOrCreate (recorded in the ledger). `None` when the
    /// committee stopped (a refused key).
    async fn resolve_people(
        &self,
        pending: &[&PlannedVanWrite],
        report: &mut TargetReport,
    ) -> Result<Option<HashMap<String, u64>>, VanSyncError> {
        let mut ids = HashMap::new();
        let mut to_find = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for w in pending {
            if !seen.insert(w.person.as_str()) {
                continue;
            }
            let Some(p) = self.plan.people.get(&w.person) else {
                continue;
            };
            match (p.van_id, &p.resolution) {
                (Some(id), _) => {
                    report.people_known += 1;
                    ids.insert(p.canonical_id.clone(), id);
                }
                (None, Resolution::FindOrCreate { body, combination }) => {
                    to_find.push((p, body, *combination));
                }
                (None, _) => {}
            }
        }
        let lt = self.plan.ledger_target.clone();
        let results: Vec<Result<Resolved, VanSyncError>> = futures::stream::iter(to_find)
            .map(|(p, body, combination)| {
                let lt = lt.clone();
                async move {
                    let person = canvass_core::Person {
                        source: SourceRef::new("canonical", p.canonical_id.clone()),
                        given_name: body.first_name.clone(),
                        family_name: body.last_name.clone(),
                        ..canvass_core::Person::default()
                    };
                    let mut person = person;
                    person
                        .extra
                        .insert("van_match_combination".into(), combination.as_str().into());
                    if let Ok(v) = serde_json::to_value(body.as_ref()) {
                        person.extra.insert("van_find_or_create_body".into(), v);
                    }
                    let planned = PlannedWrite {
                        idempotency_key: p.resolve_key.clone(),
                        rule: RESOLVE_PERSON_RULE.into(),
                        target: lt,
                        op: WriteOp::UpsertPerson {
                            person: Box::new(person),
                        },
                    };
                    let entry = self.warehouse.ledger_plan(&planned).await?;
                    if entry.status == LedgerStatus::Written
                        && let Some(id) = entry.outcome_id.as_deref().and_then(|o| o.parse().ok())
                    {
                        return Ok((p.canonical_id.clone(), Ok((id, None))));
                    }
                    // findOrCreate is safe to repeat: with the same
                    // combination VAN matches the person a lost attempt created.
                    self.warehouse.ledger_mark_sending(&p.resolve_key).await?;
                    match self.client.people().find_or_create(body).send().await {
                        Ok(m) => {
                            self.warehouse
                                .ledger_mark_written(&p.resolve_key, Some(&m.van_id.to_string()))
                                .await?;
                            Ok((p.canonical_id.clone(), Ok((m.van_id, Some(m.created)))))
                        }
                        Err(e) => {
                            self.warehouse
                                .ledger_mark_failed(&p.resolve_key, &e.to_string())
                                .await?;
                            Ok((p.canonical_id.clone(), Err(e)))
                        }
                    }
                }
            })
            .buffer_unordered(self.concurrency.max(1))
            .collect()
            .await;
        let mut failed_people = BTreeMap::new();
        for r in results {
            let (cid, outcome) = r?;
            match outcome {
                Ok((id, created)) => {
                    match created {
                        Some(true) => report.people_created += 1,
                        Some(false) => report.people_matched += 1,
                        None => report.people_known += 1,
                    }
                    ids.insert(cid, id);
                }
                Err(e) => {
                    if e.is_auth() && report.error.is_none() {
                        report.error = Some(e.to_string());
                    }
                    failed_people.insert(cid, e);
                }
            }
        }
        for (cid, e) in &failed_people {
            let p = self.plan.people.get(cid);
            report.failures.push(FailedWrite {
                key: p.map(|p| p.resolve_key.clone()).unwrap_or_default(),
                rule: RESOLVE_PERSON_RULE.into(),
                person: self.label(cid, None),
                what: "findOrCreate".into(),
                error: e.to_string(),
            });
        }
        if report.error.is_some() {
            for w in pending {
                report.rules.entry(w.rule).or_default().blocked += 1;
            }
            return Ok(None);
        }
        Ok(Some(ids))
    }

    /// The first shift and role of each VAN event a signup needs them for.
    async fn event_defaults(
        &self,
        event_ids: &[u64],
        report: &mut TargetReport,
    ) -> HashMap<u64, Result<(Option<u64>, Option<u64>), String>> {
        let mut out = HashMap::new();
        for event_id in event_ids {
            if out.contains_key(event_id) {
                continue;
            }
            let read = self
                .client
                .events()
                .get(*event_id)
                .expand(&[
                    canvass_van::client::EventExpand::Shifts,
                    canvass_van::client::EventExpand::Roles,
                ])
                .send()
                .await;
            let value = match read {
                Ok(e) => Ok((
                    e.shifts.iter().flatten().find_map(|s| s.event_shift_id),
                    e.roles.iter().flatten().next().map(|r| r.role_id),
                )),
                Err(e) => {
                    if e.is_auth() && report.error.is_none() {
                        report.error = Some(e.to_string());
                    }
                    Err(e.to_string())
                }
            };
            out.insert(*event_id, value);
        }
        out
    }

    /// Creates the plan's events in VAN through the ledger; returns every
    /// created event (from this push or an earlier one) by ledger key.
    async fn create_events(
        &self,
        report: &mut TargetReport,
    ) -> Result<HashMap<String, CreatedEvent>, VanSyncError> {
        let mut out = HashMap::new();
        for e in &self.plan.events {
            let rule = Rule::CreateEvents;
            if e.is_written() {
                report.rules.entry(rule).or_default().already_written += 1;
                if let Some(c) = &e.created {
                    out.insert(e.key.clone(), c.clone());
                }
                continue;
            }
            if report.error.is_some() {
                report.rules.entry(rule).or_default().blocked += 1;
                continue;
            }
            let Some(op) = e.op.clone() else {
                report.rules.entry(rule).or_default().blocked += 1;
                continue;
            };
            let planned = PlannedWrite {
                idempotency_key: e.key.clone(),
                rule: CREATE_EVENT_RULE.into(),
                target: self.plan.ledger_target.clone(),
                op,
            };
            let entry = self.warehouse.ledger_plan(&planned).await?;
            match entry.status {
                LedgerStatus::Written => {
                    report.rules.entry(rule).or_default().already_written += 1;
                    if let Some(c) = entry
                        .outcome_id
                        .as_deref()
                        .and_then(CreatedEvent::from_outcome)
                    {
                        out.insert(e.key.clone(), c);
                    }
                    continue;
                }
                LedgerStatus::Sending => {
                    self.event_in_doubt(
                        report,
                        e,
                        "an earlier push sent it and stopped before recording VAN's answer; check VAN for the event, then resolve it (or map the source event under events)".into(),
                    );
                    continue;
                }
                _ => {}
            }
            self.warehouse.ledger_mark_sending(&e.key).await?;
            match self.client.events().create(&e.body).await {
                Ok(event_id) => {
                    let created = self.read_created(e, event_id).await;
                    self.warehouse
                        .ledger_mark_written(&e.key, Some(&created.to_outcome()))
                        .await?;
                    report.rules.entry(rule).or_default().written += 1;
                    out.insert(e.key.clone(), created);
                }
                Err(err) if outcome_unknown(&err) => {
                    // Left `sending`: VAN may have created it.
                    self.event_in_doubt(report, e, format!("VAN's answer was lost: {err}"));
                }
                Err(err) => {
                    let text = err.to_string();
                    self.warehouse.ledger_mark_failed(&e.key, &text).await?;
                    if err.is_auth() && report.error.is_none() {
                        report.error = Some(text.clone());
                    }
                    report.rules.entry(rule).or_default().failed += 1;
                    report.failures.push(FailedWrite {
                        key: e.key.clone(),
                        rule: rule.as_str().to_string(),
                        person: event_label(e),
                        what: e.describe(),
                        error: text,
                    });
                }
            }
        }
        Ok(out)
    }

    /// A created event's shift ids, matched to the source shifts in the
    /// order they were sent. When the read fails, signups go to the
    /// event's first shift (read again when they are sent).
    async fn read_created(&self, e: &PlannedEvent, event_id: u64) -> CreatedEvent {
        let read = self
            .client
            .events()
            .get(event_id)
            .expand(&[canvass_van::client::EventExpand::Shifts])
            .send()
            .await;
        let ids: Vec<u64> = match read {
            Ok(ev) => ev
                .shifts
                .iter()
                .flatten()
                .filter_map(|s| s.event_shift_id)
                .collect(),
            Err(err) => {
                tracing::warn!(event_id, error = %err, "could not read the created VAN event's shifts");
                Vec::new()
            }
        };
        let shifts = if ids.len() == e.shifts.len() {
            e.shifts
                .iter()
                .zip(&ids)
                .map(|(s, id)| (s.to_string(), *id))
                .collect()
        } else {
            BTreeMap::new()
        };
        CreatedEvent {
            event_id,
            shifts,
            first_shift: ids.first().copied(),
        }
    }

    fn event_in_doubt(&self, report: &mut TargetReport, e: &PlannedEvent, reason: String) {
        report.rules.entry(Rule::CreateEvents).or_default().in_doubt += 1;
        report.in_doubt.push(InDoubtWrite {
            key: e.key.clone(),
            rule: Rule::CreateEvents,
            person: event_label(e),
            what: e.describe(),
            reason,
        });
    }

    fn write_op(&self, r: &Ready<'_>) -> WriteOp {
        let person_id = r.van_id.to_string();
        let epoch = DateTime::<Utc>::UNIX_EPOCH;
        match &r.write.action {
            VanAction::Signup { status, .. } => WriteOp::RecordAttendance {
                person_id,
                event_id: r.event_id.to_string(),
                shift_id: r.shift_role.map(|(s, _)| s.to_string()),
                role_id: r.shift_role.map(|(_, x)| x.to_string()),
                status: AttendanceStatus::parse(status),
            },
            VanAction::ApplyActivistCode {
                activist_code_id, ..
            } => WriteOp::ApplyTag {
                person_id,
                tag_id: activist_code_id.to_string(),
            },
            VanAction::ContactHistory {
                result,
                date,
                phone,
                ..
            } => WriteOp::RecordContactAttempt {
                person_id,
                channel: Channel::Sms,
                result: result.clone(),
                at: date.and_hms_opt(0, 0, 0).map_or(epoch, |d| d.and_utc()),
                phone: phone.clone(),
            },
            VanAction::SmsOptOut {
                phone, reason, at, ..
            } => WriteOp::OptOut {
                person_id: Some(person_id),
                channel: Channel::Sms,
                identifier: phone.clone(),
                reason: reason.clone(),
                at: at.unwrap_or(epoch),
            },
            VanAction::SurveyResponse {
                survey_question_id,
                survey_response_id,
                at,
                ..
            } => WriteOp::RecordSurveyResponse {
                person_id,
                question_id: survey_question_id.to_string(),
                option_id: survey_response_id.to_string(),
                at: at.unwrap_or(epoch),
            },
        }
    }

    fn context(&self) -> CanvassContext {
        CanvassContext {
            input_type_id: Some(self.target.input_type()),
            ..CanvassContext::default()
        }
    }

    /// The VAN call of one write; `Some(id)` when VAN names what it wrote.
    async fn call(&self, r: &Ready<'_>) -> Result<Option<String>, Error> {
        let van = r.van_id;
        let responses = self.client.canvass_responses();
        match &r.write.action {
            VanAction::Signup { status_id, .. } => {
                let (shift, role) = r.shift_role.unwrap_or_default();
                let id = self
                    .client
                    .signups()
                    .create(&Signup::new(van, r.event_id, shift, role, *status_id))
                    .await?;
                Ok(Some(id.to_string()))
            }
            VanAction::ApplyActivistCode {
                activist_code_id, ..
            } => {
                let context = CanvassContext {
                    omit_activist_code_contact_history: Some(true),
                    ..self.context()
                };
                responses
                    .record(
                        van,
                        CanvassResponse::responses(
                            context,
                            vec![ResponseItem::apply_activist_code(*activist_code_id)],
                        ),
                    )
                    .send()
                    .await?;
                Ok(None)
            }
            VanAction::ContactHistory {
                result_code_id,
                contact_type_id,
                phone,
                date,
                ..
            } => {
                let context = CanvassContext {
                    contact_type_id: Some(*contact_type_id),
                    date_canvassed: Some(date.format("%Y-%m-%d").to_string()),
                    ..self.context()
                };
                let mut req =
                    responses.record(van, CanvassResponse::result_code(context, *result_code_id));
                if let Some(p) = phone {
                    req = req.phone(p, None);
                }
                req.send().await?;
                Ok(None)
            }
            VanAction::SmsOptOut {
                phone,
                result_code_id,
                contact_type_id,
                at,
                ..
            } => match result_code_id {
                Some(code) => {
                    let context = CanvassContext {
                        contact_type_id: Some(*contact_type_id),
                        date_canvassed: at.map(|a| a.format("%Y-%m-%d").to_string()),
                        ..self.context()
                    };
                    responses
                        .record(van, CanvassResponse::result_code(context, *code))
                        .phone(phone, Some("O"))
                        .send()
                        .await?;
                    Ok(None)
                }
                None => {
                    let person = models::Person {
                        phones: Some(vec![models::PhoneNumber {
                            phone_number: phone.trim_start_matches("+1").to_string(),
                            sms_opt_in_status: Some("O".into()),
                            ..models::PhoneNumber::default()
                        }]),
                        ..models::Person::default()
                    };
                    self.client.people().update(van, &person).send().await?;
                    Ok(None)
                }
            },
            VanAction::SurveyResponse {
                survey_question_id,
                survey_response_id,
                at,
                ..
            } => {
                let context = CanvassContext {
                    date_canvassed: at.map(|a| a.format("%Y-%m-%d").to_string()),
                    ..self.context()
                };
                responses
                    .record(
                        van,
                        CanvassResponse::responses(
                            context,
                            vec![ResponseItem::survey_response(
                                *survey_question_id,
                                *survey_response_id,
                            )],
                        ),
                    )
                    .send()
                    .await?;
                Ok(None)
            }
        }
    }

    /// Records the intent, then reports whether to send: `None` to send,
    /// `Some(outcome)` when the ledger already settles it.
    async fn admit(&self, r: &Ready<'_>) -> Result<Option<Outcome>, VanSyncError> {
        let planned = PlannedWrite {
            idempotency_key: r.write.key.clone(),
            rule: r.write.rule.as_str().to_string(),
            target: self.plan.ledger_target.clone(),
            op: self.write_op(r),
        };
        let entry = self.warehouse.ledger_plan(&planned).await?;
        Ok(match entry.status {
            LedgerStatus::Written => Some(Outcome::AlreadyWritten),
            LedgerStatus::Sending if !r.write.action.is_idempotent() => Some(Outcome::InDoubt(
                "an earlier push sent it and stopped before recording VAN's answer; check VAN, then resolve it".into(),
            )),
            _ => None,
        })
    }

    async fn send_one(&self, r: &Ready<'_>) -> Result<Outcome, VanSyncError> {
        if let Some(settled) = self.admit(r).await? {
            return Ok(settled);
        }
        let key = &r.write.key;
        let idempotent = r.write.action.is_idempotent();
        self.warehouse.ledger_mark_sending(key).await?;
        let mut attempt = 0;
        let result = loop {
            let result = self.call(r).await;
            match &result {
                // Idempotent calls may be repeated after a transient failure.
                Err(e) if idempotent && e.is_retryable() && attempt < 2 => {
                    attempt += 1;
                    tokio::time::sleep(Duration::from_millis(50 << attempt)).await;
                }
                _ => break result,
            }
        };
        Ok(match result {
            Ok(id) => {
                self.warehouse
                    .ledger_mark_written(key, id.as_deref())
                    .await?;
                Outcome::Written
            }
            Err(e) if !idempotent && outcome_unknown(&e) => {
                // Left `sending`: VAN may have recorded it.
                Outcome::InDoubt(format!("VAN's answer was lost: {e}"))
            }
            Err(e) => {
                let text = e.to_string();
                self.warehouse.ledger_mark_failed(key, &text).await?;
                Outcome::Failed(text)
            }
        })
    }

    fn record(&self, report: &mut TargetReport, r: &Ready<'_>, outcome: Outcome, bulk: bool) {
        let counts: &mut RuleCounts = report.rules.entry(r.write.rule).or_default();
        match outcome {
            Outcome::Written => {
                counts.written += 1;
                if bulk {
                    counts.via_bulk += 1;
                }
            }
            Outcome::AlreadyWritten => counts.already_written += 1,
            Outcome::Failed(error) => {
                counts.failed += 1;
                if error.contains("authentication failed") && report.error.is_none() {
                    report.error = Some(error.clone());
                }
                report.failures.push(FailedWrite {
                    key: r.write.key.clone(),
                    rule: r.write.rule.as_str().to_string(),
                    person: self.label(&r.write.person, Some(r.van_id)),
                    what: r.write.action.describe(),
                    error,
                });
            }
            Outcome::InDoubt(reason) => {
                counts.in_doubt += 1;
                report.in_doubt.push(InDoubtWrite {
                    key: r.write.key.clone(),
                    rule: r.write.rule,
                    person: self.label(&r.write.person, Some(r.van_id)),
                    what: r.write.action.describe(),
                    reason,
                });
            }
        }
    }

    async fn send_each(
        &self,
        _rule: Rule,
        ready: Vec<Ready<'_>>,
        report: &mut TargetReport,
    ) -> Result<(), VanSyncError> {
        let mut stream = futures::stream::iter(ready.iter())
            .map(|r| async move { (r, self.send_one(r).await) })
            .buffer_unordered(self.concurrency.max(1));
        while let Some((r, outcome)) = stream.next().await {
            let outcome = outcome?;
            self.record(report, r, outcome, false);
            if report.error.is_some() {
                // A refused key refuses everything after it: stop here.
                break;
            }
        }
        Ok(())
    }

    /// Sends a rule's writes as one bulk import job: every row is planned
    /// and marked sending first, then each is settled from the job's result
    /// file.
    async fn send_bulk(
        &self,
        rule: Rule,
        ready: Vec<Ready<'_>>,
        uploader: &dyn Uploader,
        report: &mut TargetReport,
    ) -> Result<(), VanSyncError> {
        let mut rows: Vec<&Ready<'_>> = Vec::new();
        for r in &ready {
            match self.admit(r).await? {
                Some(settled) => self.record(report, r, settled, true),
                None => rows.push(r),
            }
        }
        if rows.is_empty() {
            return Ok(());
        }
        for r in &rows {
            self.warehouse.ledger_mark_sending(&r.write.key).await?;
        }
        let (columns, mapping, resource): (&[&str], &str, &str) = match rule {
            Rule::SurveyResponses => (
                &["VanID", "SurveyQuestionID", "SurveyResponseID"],
                "SurveyResponse",
                "ContactsSurveyResponses",
            ),
            _ => (
                &["VanID", "ActivistCodeID"],
                "ActivistCode",
                "ContactsActivistCodes",
            ),
        };
        let row_of = |r: &Ready<'_>| -> Vec<String> {
            match &r.write.action {
                VanAction::SurveyResponse {
                    survey_question_id,
                    survey_response_id,
                    ..
                } => vec![
                    r.van_id.to_string(),
                    survey_question_id.to_string(),
                    survey_response_id.to_string(),
                ],
                VanAction::ApplyActivistCode {
                    activist_code_id, ..
                } => vec![r.van_id.to_string(), activist_code_id.to_string()],
                _ => vec![r.van_id.to_string()],
            }
        };
        let mut table = BulkImportTable::new(columns);
        let mut by_row: HashMap<Vec<String>, Vec<&Ready<'_>>> = HashMap::new();
        for r in &rows {
            let row = row_of(r);
            if !by_row.contains_key(&row) {
                table.rows.push(row.clone());
            }
            by_row.entry(row).or_default().push(r);
        }
        let sent = table.rows.len() as u64;
        let run = self
            .client
            .bulk_import_jobs()
            .import(table, resource, vec![MappingType::new(mapping)], uploader)
            .description(&format!("canvass {rule} ({})", self.plan.ledger_target))
            .file_name(&format!("canvass-{rule}.csv"))
            .run()
            .await;
        let mut job = BulkJobReport {
            rule,
            job_id: None,
            rows: sent,
            succeeded: 0,
            failed: 0,
        };
        match run {
            Ok(outcome) => {
                job.job_id = Some(outcome.job.id);
                let results = &outcome.results;
                let mut settled = std::collections::HashSet::new();
                for row in &results.rows {
                    let key: Vec<String> = columns
                        .iter()
                        .map(|c| results.get(row, c).unwrap_or_default().trim().to_string())
                        .collect();
                    let Some(writes) = by_row.get(&key) else {
                        continue;
                    };
                    if !settled.insert(key.clone()) {
                        continue;
                    }
                    let ok = results
                        .get(row, "ResultOutcome")
                        .is_some_and(|o| o.eq_ignore_ascii_case("success"));
                    let message = results.get(row, "ResultMessage").unwrap_or_default();
                    if ok {
                        job.succeeded += 1;
                    } else {
                        job.failed += 1;
                    }
                    for r in writes {
                        let outcome = if ok {
                            self.warehouse
                                .ledger_mark_written(&r.write.key, None)
                                .await?;
                            Outcome::Written
                        } else {
                            let text = format!(
                                "bulk import job {} refused the row: {message}",
                                outcome.job.id
                            );
                            self.warehouse
                                .ledger_mark_failed(&r.write.key, &text)
                                .await?;
                            Outcome::Failed(text)
                        };
                        self.record(report, r, outcome, true);
                    }
                }
                for (row, writes) in &by_row {
                    if settled.contains(row) {
                        continue;
                    }
                    for r in writes {
                        let why = format!(
                            "bulk import job {} returned no result for the row",
                            outcome.job.id
                        );
                        let outcome = self.settle_lost(r, why).await?;
                        self.record(report, r, outcome, true);
                    }
                }
            }
            Err(e) => {
                for writes in by_row.values() {
                    for r in writes {
                        let outcome = if outcome_unknown(&e) {
                            self.settle_lost(r, format!("bulk import job: {e}")).await?
                        } else {
                            let text = format!("bulk import job: {e}");
                            self.warehouse
                                .ledger_mark_failed(&r.write.key, &text)
                                .await?;
                            Outcome::Failed(text)
                        };
                        self.record(report, r, outcome, true);
                    }
                }
            }
        }
        report.bulk_jobs.push(job);
        Ok(())
    }

    /// A sent write whose outcome is unknown: an idempotent one is marked
    /// failed (the next push sends it again), another stays in doubt.
    async fn settle_lost(&self, r: &Ready<'_>, why: String) -> Result<Outcome, VanSyncError> {
        if r.write.action.is_idempotent() {
            self.warehouse
                .ledger_mark_failed(&r.write.key, &why)
                .await?;
            Ok(Outcome::Failed(why))
        } else {
            Ok(Outcome::InDoubt(why))
        }
    }
}
