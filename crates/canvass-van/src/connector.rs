//! [`VanConnector`]: VAN as a canvass [`Connector`], built on [`VanClient`].
//!
//! Reads: people (full through a saved-list export, incremental through
//! changed-entity exports, VAN's only modified-since mechanism), events
//! with their shifts, shifts, signups (attendances), activist codes (tags)
//! and survey questions. VAN has no list endpoint for contact history or
//! applied activist codes, so contact attempts, taggings and survey
//! responses are write-only here.
//!
//! Writes: every canonical write, through findOrCreate, canvass responses
//! and signups.
//!
//! Optional reads: VAN refuses events in some databases (its documented
//! `EVENTS_NOT_SUPPORTED_IN_DB` error), and changed-entity exports are not
//! enabled for every API key. Events, shifts and attendances answered that
//! way (or with 404) on their first request, and an incremental people read
//! whose changed-entity export is answered 404, are [`Error::NotOffered`]:
//! the engine reports the kind as skipped, with the reason, and the run goes
//! on. Everything else fails the read as usual. See the route table in the
//! crate documentation.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Mutex;

use async_trait::async_trait;
use canvass_core::http::Paged;
use canvass_core::{
    Channel, Checkpoint, Connector, ConnectorInfo, EntityKind, Error, Page, PageStream, RawRecord,
    Record, RecordIssue, SourceRef, WriteKind, WriteOp, WriteOutcome, optional_read,
    unsupported_read,
};
use chrono::{DateTime, Utc};
use futures::stream::{self, BoxStream, StreamExt, TryStreamExt};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::SYSTEM;
use crate::client::{CsvFile, EventExpand, VanClient, decode_value};
use crate::mapping::{self, FieldIssue};
use crate::models::{self, CanvassContext, CanvassResponse, ResponseItem, Signup, SignupStatus};

/// Maps one vendor item: its id, the records it yields, and field issues;
/// `Err` skips the item with the field at fault.
type ItemMapper = fn(&Value) -> Result<(String, Vec<Record>, Vec<FieldIssue>), FieldIssue>;

/// Rows of an export or changed-entity CSV per page.
const CSV_PAGE: usize = 200;

/// VAN's error code for a database without events (docs.ngpvan.com/reference/errors,
/// the example "not tied to a specific property").
pub const EVENTS_NOT_SUPPORTED: &str = "EVENTS_NOT_SUPPORTED_IN_DB";

/// `e` as [`Error::NotOffered`] when it is VAN's documented answer for a
/// database without events: a 4xx (VAN documents only "400 or greater")
/// carrying [`EVENTS_NOT_SUPPORTED`]. A 404 is left to
/// [`optional_read`]; anything else is returned as is.
fn events_not_offered(e: Error, what: &str) -> Error {
    match e {
        Error::Api {
            status,
            code: Some(code),
            message,
            ..
        } if (400..500).contains(&status) && code == EVENTS_NOT_SUPPORTED => Error::not_offered(
            SYSTEM,
            what,
            format!("VAN answered {status} {code} ({message})"),
        ),
        other => other,
    }
}

/// A read VAN may not offer this database: its first item, when VAN's
/// events-not-supported error or a 404, becomes [`Error::NotOffered`].
fn optional_events_read<'a, T: Send + 'a>(
    stream: BoxStream<'a, Result<T, Error>>,
    what: &'static str,
) -> BoxStream<'a, Result<T, Error>> {
    let mut first = true;
    let mapped = stream
        .map(move |item| {
            let was_first = std::mem::replace(&mut first, false);
            match item {
                Err(e) if was_first => Err(events_not_offered(e, what)),
                other => other,
            }
        })
        .boxed();
    optional_read(mapped, SYSTEM, what)
}

/// A 404 to the create of a changed-entity export: the exports are not
/// enabled for this key (VAN's exact answer is UNVERIFIED; 404 is the one
/// the engine can act on).
fn changed_entities_not_offered(e: Error) -> Error {
    match e {
        Error::NotFound { what, .. } => Error::not_offered(
            SYSTEM,
            "read people changes",
            format!(
                "VAN answered 404 ({what}): changed-entity exports are not enabled for this API key; ask VAN to enable them, or clear the people checkpoint to read the saved list in full"
            ),
        ),
        other => other,
    }
}

/// What the connector needs beyond the client: which saved list is "all
/// people", and the committee's ids for contact types and result codes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectorOptions {
    /// The saved list whose export is a full people read.
    pub people_saved_list_id: Option<u64>,
    /// The export job type for saved lists.
    pub export_job_type_id: u64,
    /// Contact type per channel (`"sms"`, `"phone"`, `"door"`, …).
    pub contact_type_ids: BTreeMap<String, u64>,
    /// Result code per contact result (`"not_home"`, `"wrong_number"`, …).
    pub result_code_ids: BTreeMap<String, u64>,
    /// The "do not text" result code, recorded with SMS opt-outs.
    pub opt_out_result_code_id: Option<u64>,
    /// Input type of canvass responses (11 = API).
    pub input_type_id: u64,
}

/// VAN as a canvass connector.
pub struct VanConnector {
    client: VanClient,
    options: ConnectorOptions,
    statuses: Mutex<HashMap<u64, Vec<SignupStatus>>>,
}

impl std::fmt::Debug for VanConnector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VanConnector")
            .field("client", &self.client)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

/// Where a people read is: which window, and how many rows of its file
/// were already handed out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct PeopleCursor {
    /// Changes since (`None`: a full saved-list export).
    since: Option<DateTime<Utc>>,
    /// The end of the window being read (`None`: not started).
    until: Option<DateTime<Utc>>,
    /// Rows of the window's file already read.
    skip: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct OffsetCursor {
    skip: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct EventIndexCursor {
    /// Events (in id order) whose signups were read.
    events_done: u64,
}

fn id_u64(field: &str, id: &str) -> Result<u64, Error> {
    id.trim().parse().map_err(|_| {
        Error::invalid_input(field, format!("{id:?} is not a VAN id (a whole number)"))
    })
}

fn issue(
    kind: &EntityKind,
    record: String,
    (field, message): FieldIssue,
    skipped: bool,
) -> RecordIssue {
    RecordIssue {
        record,
        kind: kind.clone(),
        field,
        message,
        skipped,
    }
}

impl VanConnector {
    /// A connector over `client`.
    pub fn new(client: VanClient, options: ConnectorOptions) -> VanConnector {
        VanConnector {
            client,
            options,
            statuses: Mutex::new(HashMap::new()),
        }
    }

    /// The typed client underneath.
    pub fn client(&self) -> &VanClient {
        &self.client
    }

    /// The options.
    pub fn options(&self) -> &ConnectorOptions {
        &self.options
    }

    fn read_people(&self, since: Option<Checkpoint>) -> PageStream<'_> {
        let kind = EntityKind::People;
        stream::once(async move {
            let cursor = match since {
                Some(cp) => cp.decode::<PeopleCursor>()?,
                None => PeopleCursor { since: None, until: None, skip: 0 },
            };
            // Whole seconds: the window's end is sent to VAN and stored as the
            // next window's start, and both must be the same instant (a
            // truncated `dateChangedTo` would drop changes made in its last
            // fraction of a second).
            let until = cursor.until.unwrap_or_else(|| {
                let now = Utc::now();
                DateTime::from_timestamp(now.timestamp(), 0).unwrap_or(now)
            });
            // A read started within the same second as the last one ends:
            // its window is empty, and VAN refuses an export whose end is not
            // after its start. Nothing to read; the checkpoint stays.
            if cursor.since.is_some_and(|from| until <= from) {
                return Ok::<_, Error>(Vec::new());
            }
            let mut file = match cursor.since {
                None => {
                    let list = self.options.people_saved_list_id.ok_or_else(|| {
                        Error::Config(
                            "a full read of VAN people exports a saved list: set `people_saved_list_id` to a list of everyone to sync"
                                .into(),
                        )
                    })?;
                    self.client.export_jobs().export_saved_list(list, self.options.export_job_type_id).await?
                }
                Some(from) => {
                    let jobs = self.client.changed_entity_export_jobs();
                    let job = jobs
                        .create("Contacts", from)
                        .to(until)
                        .send()
                        .await
                        .map_err(changed_entities_not_offered)?;
                    let job = if job.job_status == models::JobStatus::Complete {
                        job
                    } else {
                        jobs.wait(job.export_job_id).await?
                    };
                    jobs.download(&job).await?
                }
            };
            // Order rows by van id so a resumed read skips exactly the rows
            // already handed out, whatever order VAN wrote them in.
            let col = file.column("VanID");
            file.rows.sort_by_key(|r| col.and_then(|c| r.get(c)).and_then(|v| v.trim().parse::<u64>().ok()).unwrap_or(u64::MAX));
            Ok::<_, Error>(people_pages(&kind, file, cursor.since, until, cursor.skip))
        })
        .map_ok(|pages| stream::iter(pages.into_iter().map(Ok)))
        .try_flatten()
        .boxed()
    }

    /// A read over a paginated endpoint, resumable by offset.
    fn offset_read<'a>(
        &'a self,
        kind: EntityKind,
        since: Option<Checkpoint>,
        pages: impl FnOnce(u64) -> BoxStream<'static, Result<Paged<Value, u64>, Error>> + Send + 'a,
        map: ItemMapper,
    ) -> PageStream<'a> {
        let start = match since.map(|cp| cp.decode::<OffsetCursor>()).transpose() {
            Ok(c) => c.map_or(0, |c| c.skip),
            Err(e) => return stream::once(async move { Err(e) }).boxed(),
        };
        pages(start)
            .map_ok(move |paged| {
                let mut page = Page::default();
                for (i, item) in paged.items.iter().enumerate() {
                    let position = format!("{kind}[{}]", paged.at + i as u64);
                    match map(item) {
                        Ok((id, records, issues)) => {
                            page.raw.push(RawRecord {
                                source: SourceRef::new(SYSTEM, id.clone()),
                                kind: kind.clone(),
                                json: item.clone(),
                            });
                            page.records.extend(records);
                            page.issues.extend(
                                issues
                                    .into_iter()
                                    .map(|f| issue(&kind, id.clone(), f, false)),
                            );
                        }
                        Err(f) => {
                            page.raw.push(RawRecord {
                                source: SourceRef::new(SYSTEM, position.clone()),
                                kind: kind.clone(),
                                json: item.clone(),
                            });
                            page.issues.push(issue(&kind, position, f, true));
                        }
                    }
                }
                page.checkpoint = Some(Checkpoint::encode(&OffsetCursor {
                    skip: paged.at + paged.items.len() as u64,
                }));
                page
            })
            .boxed()
    }

    fn read_attendances(&self, since: Option<Checkpoint>) -> PageStream<'_> {
        let kind = EntityKind::Attendances;
        let done = match since.map(|cp| cp.decode::<EventIndexCursor>()).transpose() {
            Ok(c) => c.map_or(0, |c| c.events_done),
            Err(e) => return stream::once(async move { Err(e) }).boxed(),
        };
        stream::once(async move {
            let raw: Vec<Value> = self
                .client
                .events()
                .list()
                .raw_pages()
                .map_ok(|p| stream::iter(p.items.into_iter().map(Ok)))
                .try_flatten()
                .try_collect()
                .await?;
            let mut ids: Vec<u64> = raw
                .iter()
                .filter_map(|v| v.get("eventId").and_then(Value::as_u64))
                .collect();
            ids.sort_unstable();
            ids.dedup();
            Ok::<_, Error>(ids)
        })
        .map_ok(move |ids| {
            let kind = kind.clone();
            stream::iter(ids.into_iter().enumerate().skip(done as usize)).then(
                move |(i, event_id)| {
                    let kind = kind.clone();
                    async move {
                        let listed: Result<Vec<Value>, Error> = self
                            .client
                            .signups()
                            .list_by_event(event_id)
                            .raw_pages()
                            .map_ok(|p| stream::iter(p.items.into_iter().map(Ok)))
                            .try_flatten()
                            .try_collect()
                            .await;
                        // VAN answers 404 for the signups of an event that
                        // does not exist (its `GET /signups` reference): one
                        // deleted since the list was read has none to read.
                        let items = match listed {
                            Err(Error::NotFound { .. }) => Vec::new(),
                            other => other?,
                        };
                        let mut page = Page::default();
                        for (j, item) in items.iter().enumerate() {
                            let mapped = decode_value::<Signup>("signup", item)
                                .map_err(|e| ("signup".to_string(), e.to_string()))
                                .and_then(|s| mapping::attendance_from_signup(&s));
                            match mapped {
                                Ok(a) => {
                                    page.raw.push(RawRecord {
                                        source: a.source.clone(),
                                        kind: kind.clone(),
                                        json: item.clone(),
                                    });
                                    page.records.push(Record::Attendance(a));
                                }
                                Err(f) => {
                                    let position = format!("event {event_id} signup[{j}]");
                                    page.raw.push(RawRecord {
                                        source: SourceRef::new(SYSTEM, position.clone()),
                                        kind: kind.clone(),
                                        json: item.clone(),
                                    });
                                    page.issues.push(issue(&kind, position, f, true));
                                }
                            }
                        }
                        page.checkpoint = Some(Checkpoint::encode(&EventIndexCursor {
                            events_done: i as u64 + 1,
                        }));
                        Ok::<_, Error>(page)
                    }
                },
            )
        })
        .try_flatten()
        .boxed()
    }

    async fn signup_status_id(
        &self,
        event_id: u64,
        status: &canvass_core::AttendanceStatus,
    ) -> Result<u64, Error> {
        let cached = self
            .statuses
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&event_id)
            .cloned();
        let statuses = match cached {
            Some(s) => s,
            None => {
                let s = self.client.signups().statuses_for_event(event_id).await?;
                self.statuses
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .insert(event_id, s.clone());
                s
            }
        };
        let wanted = mapping::van_status_name(status);
        statuses
            .iter()
            .find(|s| s.name.as_deref().is_some_and(|n| n.eq_ignore_ascii_case(wanted)))
            .map(|s| s.status_id)
            .ok_or_else(|| {
                Error::invalid_input(
                    "status",
                    format!(
                        "event {event_id} has no signup status named {wanted:?} (for {status}); it has: {}",
                        statuses.iter().filter_map(|s| s.name.clone()).collect::<Vec<_>>().join(", ")
                    ),
                )
            })
    }

    fn context(
        &self,
        channel: Option<&Channel>,
        at: DateTime<Utc>,
    ) -> Result<CanvassContext, Error> {
        let contact_type_id = match channel {
            None => None,
            Some(c) => Some(*self.options.contact_type_ids.get(c.as_str()).ok_or_else(|| {
                Error::invalid_input(
                    format!("contact_type_ids.{c}"),
                    format!("no VAN contact type configured for channel {c}; add it under `contact_type_ids` in the VAN source"),
                )
            })?),
        };
        Ok(CanvassContext {
            contact_type_id,
            input_type_id: Some(self.options.input_type_id),
            date_canvassed: Some(at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
            ..CanvassContext::default()
        })
    }

    async fn record_attendance(
        &self,
        person_id: &str,
        event_id: &str,
        shift_id: Option<&str>,
        role_id: Option<&str>,
        status: &canvass_core::AttendanceStatus,
    ) -> Result<WriteOutcome, Error> {
        let van_id = id_u64("person_id", person_id)?;
        let event_id = id_u64("event_id", event_id)?;
        let mut shift = shift_id.map(|s| id_u64("shift_id", s)).transpose()?;
        let mut role = role_id.map(|r| id_u64("role_id", r)).transpose()?;
        if shift.is_none() || role.is_none() {
            // VAN needs a shift and a role: take the event's first of each.
            let event = self
                .client
                .events()
                .get(event_id)
                .expand(&[EventExpand::Shifts, EventExpand::Roles])
                .send()
                .await?;
            shift = shift.or_else(|| event.shifts.iter().flatten().find_map(|s| s.event_shift_id));
            role = role.or_else(|| event.roles.iter().flatten().next().map(|r| r.role_id));
        }
        let shift = shift.ok_or_else(|| {
            Error::invalid_input(
                "shift_id",
                format!("event {event_id} has no shift to sign up for"),
            )
        })?;
        let role = role.ok_or_else(|| {
            Error::invalid_input(
                "role_id",
                format!("event {event_id} has no role to sign up for"),
            )
        })?;
        let status_id = self.signup_status_id(event_id, status).await?;
        let id = self
            .client
            .signups()
            .create(&Signup::new(van_id, event_id, shift, role, status_id))
            .await?;
        Ok(WriteOutcome::Created { id: id.to_string() })
    }

    async fn opt_out(
        &self,
        person_id: Option<&str>,
        channel: &Channel,
        identifier: &str,
        at: DateTime<Utc>,
    ) -> Result<WriteOutcome, Error> {
        let van_id = id_u64(
            "person_id",
            person_id.ok_or_else(|| {
                Error::invalid_input(
                    "person_id",
                    "VAN opt-outs are recorded on a person: resolve the VAN id first",
                )
            })?,
        )?;
        match channel {
            Channel::Sms => {
                if let Some(code) = self.options.opt_out_result_code_id {
                    let context = self.context(Some(&Channel::Sms), at)?;
                    self.client
                        .canvass_responses()
                        .record(van_id, CanvassResponse::result_code(context, code))
                        .phone(identifier, Some("O"))
                        .send()
                        .await?;
                } else {
                    let person = models::Person {
                        phones: Some(vec![models::PhoneNumber {
                            phone_number: identifier.trim_start_matches("+1").to_string(),
                            sms_opt_in_status: Some("O".into()),
                            ..models::PhoneNumber::default()
                        }]),
                        ..models::Person::default()
                    };
                    self.client.people().update(van_id, &person).send().await?;
                }
                Ok(WriteOutcome::Applied)
            }
            Channel::Email => {
                let person = models::Person {
                    emails: Some(vec![models::EmailAddress {
                        email: identifier.to_string(),
                        is_subscribed: Some(false),
                        ..models::EmailAddress::default()
                    }]),
                    ..models::Person::default()
                };
                self.client.people().update(van_id, &person).send().await?;
                Ok(WriteOutcome::Applied)
            }
            other => Err(Error::unsupported(
                SYSTEM,
                format!("opt out of channel {other}"),
            )),
        }
    }
}

fn people_pages(
    kind: &EntityKind,
    file: CsvFile,
    since: Option<DateTime<Utc>>,
    until: DateTime<Utc>,
    skip: u64,
) -> Vec<Page> {
    let total = file.rows.len() as u64;
    let mut pages = Vec::new();
    let mut at = skip.min(total);
    loop {
        let end = (at + CSV_PAGE as u64).min(total);
        let mut page = Page::default();
        for (i, row) in file.rows[at as usize..end as usize].iter().enumerate() {
            let json = file.row_json(row);
            match mapping::person_from_csv(&file, row) {
                Ok((person, issues)) => {
                    let id = person.source.id.clone();
                    page.raw.push(RawRecord {
                        source: person.source.clone(),
                        kind: kind.clone(),
                        json,
                    });
                    page.issues.extend(
                        issues
                            .into_iter()
                            .map(|f| issue(kind, id.clone(), f, false)),
                    );
                    page.records.push(Record::Person(person));
                }
                Err(f) => {
                    let position = format!("row {}", at + i as u64 + 2);
                    page.raw.push(RawRecord {
                        source: SourceRef::new(SYSTEM, position.clone()),
                        kind: kind.clone(),
                        json,
                    });
                    page.issues.push(issue(kind, position, f, true));
                }
            }
        }
        let cursor = if end < total {
            PeopleCursor {
                since,
                until: Some(until),
                skip: end,
            }
        } else {
            PeopleCursor {
                since: Some(until),
                until: None,
                skip: 0,
            }
        };
        page.checkpoint = Some(Checkpoint::encode(&cursor));
        pages.push(page);
        at = end;
        if at >= total {
            break;
        }
    }
    pages
}

fn map_event(v: &Value) -> Result<(String, Vec<Record>, Vec<FieldIssue>), FieldIssue> {
    let e: models::Event =
        decode_value("event", v).map_err(|e| ("event".to_string(), e.to_string()))?;
    let (event, shifts, issues) = mapping::event_from_van(&e)?;
    let id = event.source.id.clone();
    let mut records = vec![Record::Event(event)];
    records.extend(shifts.into_iter().map(Record::Shift));
    Ok((id, records, issues))
}

fn map_shifts(v: &Value) -> Result<(String, Vec<Record>, Vec<FieldIssue>), FieldIssue> {
    let (id, records, issues) = map_event(v)?;
    Ok((
        id,
        records
            .into_iter()
            .filter(|r| matches!(r, Record::Shift(_)))
            .collect(),
        issues,
    ))
}

fn map_tag(v: &Value) -> Result<(String, Vec<Record>, Vec<FieldIssue>), FieldIssue> {
    let c: models::ActivistCode = decode_value("activist code", v)
        .map_err(|e| ("activistCode".to_string(), e.to_string()))?;
    let tag = mapping::tag_from_activist_code(&c);
    Ok((tag.source.id.clone(), vec![Record::Tag(tag)], vec![]))
}

fn map_question(v: &Value) -> Result<(String, Vec<Record>, Vec<FieldIssue>), FieldIssue> {
    let q: models::SurveyQuestion = decode_value("survey question", v)
        .map_err(|e| ("surveyQuestion".to_string(), e.to_string()))?;
    let q = mapping::survey_question_from_van(&q);
    Ok((q.source.id.clone(), vec![Record::SurveyQuestion(q)], vec![]))
}

#[async_trait]
impl Connector for VanConnector {
    fn info(&self) -> ConnectorInfo {
        let reads: BTreeSet<EntityKind> = [
            EntityKind::People,
            EntityKind::Events,
            EntityKind::Shifts,
            EntityKind::Attendances,
            EntityKind::Tags,
            EntityKind::SurveyQuestions,
        ]
        .into_iter()
        .collect();
        ConnectorInfo {
            system: SYSTEM.to_string(),
            reads,
            incremental: [EntityKind::People].into_iter().collect(),
            writes: [
                WriteKind::UpsertPerson,
                WriteKind::ApplyTag,
                WriteKind::RemoveTag,
                WriteKind::RecordAttendance,
                WriteKind::RecordContactAttempt,
                WriteKind::RecordSurveyResponse,
                WriteKind::OptOut,
            ]
            .into_iter()
            .collect(),
        }
    }

    async fn check(&self) -> Result<(), Error> {
        self.client.echo("canvass check").await.map(|_| ())
    }

    fn read(&self, kind: EntityKind, since: Option<Checkpoint>) -> PageStream<'_> {
        let client = self.client.clone();
        match kind {
            EntityKind::People => self.read_people(since),
            EntityKind::Events => optional_events_read(
                self.offset_read(
                    kind,
                    since,
                    move |skip| {
                        client
                            .events()
                            .list()
                            .expand(&EventExpand::SYNC)
                            .skip(skip)
                            .raw_pages()
                    },
                    map_event,
                ),
                "read events",
            ),
            EntityKind::Shifts => optional_events_read(
                self.offset_read(
                    kind,
                    since,
                    move |skip| {
                        client
                            .events()
                            .list()
                            .expand(&[EventExpand::Shifts])
                            .skip(skip)
                            .raw_pages()
                    },
                    map_shifts,
                ),
                "read shifts",
            ),
            EntityKind::Tags => self.offset_read(
                kind,
                since,
                move |skip| client.activist_codes().list().skip(skip).raw_pages(),
                map_tag,
            ),
            EntityKind::SurveyQuestions => self.offset_read(
                kind,
                since,
                move |skip| client.survey_questions().list().skip(skip).raw_pages(),
                map_question,
            ),
            EntityKind::Attendances => {
                optional_events_read(self.read_attendances(since), "read attendances")
            }
            other => unsupported_read(SYSTEM, &other),
        }
    }

    async fn write(&self, op: &WriteOp) -> Result<WriteOutcome, Error> {
        match op {
            WriteOp::UpsertPerson { person } => {
                let body = mapping::person_to_van(person);
                let m = self.client.people().find_or_create(&body).send().await?;
                let id = m.van_id.to_string();
                Ok(if m.created {
                    WriteOutcome::Created { id }
                } else {
                    WriteOutcome::Updated { id }
                })
            }
            WriteOp::ApplyTag { person_id, tag_id } | WriteOp::RemoveTag { person_id, tag_id } => {
                let van_id = id_u64("person_id", person_id)?;
                let code = id_u64("tag_id", tag_id)?;
                let item = if matches!(op, WriteOp::ApplyTag { .. }) {
                    ResponseItem::apply_activist_code(code)
                } else {
                    ResponseItem::remove_activist_code(code)
                };
                let context = self.context(None, Utc::now())?;
                self.client
                    .canvass_responses()
                    .record(van_id, CanvassResponse::responses(context, vec![item]))
                    .send()
                    .await?;
                Ok(WriteOutcome::Applied)
            }
            WriteOp::RecordAttendance {
                person_id,
                event_id,
                shift_id,
                role_id,
                status,
            } => {
                self.record_attendance(
                    person_id,
                    event_id,
                    shift_id.as_deref(),
                    role_id.as_deref(),
                    status,
                )
                .await
            }
            WriteOp::RecordContactAttempt {
                person_id,
                channel,
                result,
                at,
                phone,
            } => {
                let van_id = id_u64("person_id", person_id)?;
                let code = *self.options.result_code_ids.get(result.as_str()).ok_or_else(|| {
                    Error::invalid_input(
                        format!("result_code_ids.{result}"),
                        format!("no VAN result code configured for contact result {result}; add it under `result_code_ids` in the VAN source"),
                    )
                })?;
                let context = self.context(Some(channel), *at)?;
                let mut req = self
                    .client
                    .canvass_responses()
                    .record(van_id, CanvassResponse::result_code(context, code));
                if let Some(p) = phone {
                    req = req.phone(p, None);
                }
                req.send().await?;
                Ok(WriteOutcome::Applied)
            }
            WriteOp::RecordSurveyResponse {
                person_id,
                question_id,
                option_id,
                at,
            } => {
                let van_id = id_u64("person_id", person_id)?;
                let item = ResponseItem::survey_response(
                    id_u64("question_id", question_id)?,
                    id_u64("option_id", option_id)?,
                );
                let context = self.context(None, *at)?;
                self.client
                    .canvass_responses()
                    .record(van_id, CanvassResponse::responses(context, vec![item]))
                    .send()
                    .await?;
                Ok(WriteOutcome::Applied)
            }
            WriteOp::OptOut {
                person_id,
                channel,
                identifier,
                at,
                ..
            } => {
                self.opt_out(person_id.as_deref(), channel, identifier, *at)
                    .await
            }
            // VAN needs an event type and its roles, which a canonical event
            // does not carry; the VAN sync's `create_events` rule supplies
            // them from its configuration.
            WriteOp::CreateEvent { .. } => Err(Error::unsupported(
                self.info().system,
                "create an event without a VAN event type and role (the VAN sync's create_events rule does)",
            )),
        }
    }
}
