//! [`MobilizeConnector`]: the canvass [`Connector`] for Mobilize.
//!
//! Reads:
//! - people (`/people`), events with their shifts (public events, then
//!   private ones, then deleted events as [`Record::Deletion`]s), shifts
//!   alone, attendances, all incremental through `updated_since`;
//! - tags (from events' tags, deduplicated), read in full each run.
//!
//! Checkpoints hold the `updated_since` of the walk, the server's clock when
//! the walk began, the phase (public / private / deleted events) and the
//! `next` URL within it (which carries Mobilize's cursor). Resuming
//! mid-walk repeats at most the page being read; the checkpoint stored after
//! the last page makes the next run fetch only what changed since the walk
//! began (less [`OVERLAP_SECONDS`], to absorb clock skew).
//!
//! People and attendances are optional reads (see the route table in the
//! crate docs): their routes need a key with access to the organization's
//! volunteer data, so a 404 on their first page is
//! [`Error::NotOffered`] ("not offered by this account"), which the engine
//! reports as a skipped kind, not a failure. Events, shifts and tags come
//! from routes every account answers; a 404 there is an error.
//!
//! Writes: [`WriteOp::RecordAttendance`] as a Mobilize signup.

use std::collections::{HashMap, HashSet};

use async_trait::async_trait;
use canvass_core::{
    AttendanceStatus, Checkpoint, Connector, ConnectorInfo, EntityKind, Error, Page, PageStream,
    RawRecord, Record, SourceRef, WriteKind, WriteOp, WriteOutcome, optional_read,
    unsupported_read,
};
use futures::{StreamExt, TryStreamExt, stream};
use serde::{Deserialize, Serialize};

use crate::client::{MobilizeClient, SYSTEM, decode_value};
use crate::map::{self, ItemKind};
use crate::models::{self, AttendancePerson, CreateAttendance, TimeslotRef, Visibility};

/// Seconds subtracted from a walk's start when it becomes the next run's
/// `updated_since`, so a server clock a little behind ours (or records
/// committed late) loses nothing; what it repeats is harmless.
pub const OVERLAP_SECONDS: i64 = 60;

/// What the connector reads and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectorOptions {
    /// The organization read.
    pub organization_id: u64,
    /// Page size; `None` uses Mobilize's default (25).
    pub per_page: Option<u32>,
    /// Whether to read private events as well (needs a key).
    pub include_private_events: bool,
}

impl ConnectorOptions {
    /// Options for `organization_id`: default page size, private events included.
    pub fn new(organization_id: u64) -> ConnectorOptions {
        ConnectorOptions {
            organization_id,
            per_page: None,
            include_private_events: true,
        }
    }
}

/// Where a read stands. Serialized into the [`Checkpoint`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
struct Position {
    /// The walk's `updated_since` (`None`: everything).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    since: Option<i64>,
    /// The server's clock when the walk began.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    started: Option<i64>,
    /// Which phase of the kind's walk.
    #[serde(default)]
    phase: usize,
    /// The next page within the phase (`None`: the phase's first page).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    next: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    People,
    Events(Audience),
    Deleted,
    Attendances,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Audience {
    Public,
    Private,
}

#[derive(Debug, Clone, Copy)]
struct Phase {
    source: Source,
    item: ItemKind,
}

/// The Mobilize connector.
pub struct MobilizeConnector {
    client: MobilizeClient,
    options: ConnectorOptions,
    people: tokio::sync::Mutex<PeopleCache>,
}

impl std::fmt::Debug for MobilizeConnector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MobilizeConnector")
            .field("client", &self.client)
            .field("options", &self.options)
            .finish()
    }
}

/// People by id, for signups: Mobilize has no single-person endpoint and
/// signs people up by name, email and ZIP, so the first attendance write
/// reads the organization's people once, and later misses read only the
/// people changed since.
#[derive(Default)]
struct PeopleCache {
    by_id: HashMap<String, models::Person>,
    since: Option<i64>,
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

impl MobilizeConnector {
    /// A connector reading `options.organization_id` through `client`.
    pub fn new(client: MobilizeClient, options: ConnectorOptions) -> MobilizeConnector {
        MobilizeConnector {
            client,
            options,
            people: tokio::sync::Mutex::new(PeopleCache::default()),
        }
    }

    /// The typed client.
    pub fn client(&self) -> &MobilizeClient {
        &self.client
    }

    fn phases(&self, kind: &EntityKind) -> Option<Vec<Phase>> {
        let keyed = self.client.has_key();
        let event_walks = |item| {
            let mut v = vec![Phase {
                source: Source::Events(Audience::Public),
                item,
            }];
            if keyed && self.options.include_private_events {
                v.push(Phase {
                    source: Source::Events(Audience::Private),
                    item,
                });
            }
            v
        };
        match kind {
            EntityKind::People if keyed => Some(vec![Phase {
                source: Source::People,
                item: ItemKind::Person,
            }]),
            EntityKind::Attendances if keyed => Some(vec![Phase {
                source: Source::Attendances,
                item: ItemKind::Attendance,
            }]),
            EntityKind::Events => {
                let mut v = event_walks(ItemKind::EventWithShifts);
                v.push(Phase {
                    source: Source::Deleted,
                    item: ItemKind::Deleted,
                });
                Some(v)
            }
            EntityKind::Shifts => Some(event_walks(ItemKind::ShiftsOf)),
            EntityKind::Tags => Some(event_walks(ItemKind::TagsOf)),
            _ => None,
        }
    }

    fn start_url(&self, source: Source, since: Option<i64>) -> Result<String, Error> {
        let org = self.options.organization_id;
        let with = |mut url: String| {
            let mut extra = Vec::new();
            if let Some(n) = self.options.per_page {
                extra.push(format!("per_page={n}"));
            }
            if let Some(s) = since {
                extra.push(format!("updated_since={s}"));
            }
            if !extra.is_empty() {
                url.push(if url.contains('?') { '&' } else { '?' });
                url.push_str(&extra.join("&"));
            }
            url
        };
        let base = match source {
            Source::People => self.client.people(org).list().url()?,
            Source::Attendances => self.client.attendances(org).list().url()?,
            Source::Deleted => self.client.events(org).deleted().url()?,
            Source::Events(Audience::Public) => self
                .client
                .events(org)
                .list()
                .visibility(Visibility::Public)
                .url()?,
            Source::Events(Audience::Private) => self
                .client
                .events(org)
                .list()
                .visibility(Visibility::Private)
                .url()?,
        };
        Ok(with(base))
    }

    fn walk(&self, kind: EntityKind, phases: Vec<Phase>, start: Position) -> PageStream<'_> {
        struct State {
            pos: Position,
            done: bool,
            seen: HashSet<String>,
            tags: HashSet<String>,
        }
        let resumable = kind != EntityKind::Tags;
        let state = State {
            pos: start,
            done: false,
            seen: HashSet::new(),
            tags: HashSet::new(),
        };
        stream::try_unfold(state, move |mut st| {
            let phases = phases.clone();
            let kind = kind.clone();
            async move {
                if st.done || st.pos.phase >= phases.len() {
                    return Ok(None);
                }
                let phase = phases[st.pos.phase];
                let url = match st.pos.next.clone() {
                    Some(u) => u,
                    None => self.start_url(phase.source, st.pos.since)?,
                };
                st.seen.insert(url.clone());
                let page = self.client.raw_page(&url, false).await?;
                if st.pos.started.is_none() {
                    st.pos.started = Some(page.server_time.unwrap_or_else(now));
                }
                let mut out = Page::default();
                for (i, value) in page.items.iter().enumerate() {
                    let mapped = map::map_item(phase.item, &kind, value, i);
                    for record in mapped.records {
                        if let Record::Tag(t) = &record
                            && !st.tags.insert(t.source.id.clone())
                        {
                            continue;
                        }
                        out.records.push(record);
                    }
                    out.issues.extend(mapped.issues);
                    out.raw.push(RawRecord {
                        source: SourceRef::new(SYSTEM, mapped.id),
                        kind: kind.clone(),
                        json: value.clone(),
                    });
                }
                let next = page.next.filter(|_| !page.items.is_empty());
                match next {
                    Some(n) if st.seen.contains(&n) => {
                        return Err(Error::Api {
                            system: SYSTEM.into(),
                            status: 200,
                            code: Some("PAGINATION_LOOP".into()),
                            message: format!(
                                "the next page {n} was already read; stopping instead of looping"
                            ),
                            fields: vec![],
                        });
                    }
                    Some(n) => st.pos.next = Some(n),
                    None => {
                        st.pos.next = None;
                        st.pos.phase += 1;
                    }
                }
                let checkpoint = if st.pos.phase >= phases.len() {
                    st.done = true;
                    Position {
                        since: st.pos.started.map(|s| s - OVERLAP_SECONDS),
                        ..Position::default()
                    }
                } else {
                    st.pos.clone()
                };
                out.checkpoint = resumable.then(|| Checkpoint::encode(&checkpoint));
                Ok(Some((out, st)))
            }
        })
        .boxed()
    }

    async fn signup_person(&self, person_id: &str) -> Result<models::Person, Error> {
        let mut cache = self.people.lock().await;
        if let Some(p) = cache.by_id.get(person_id) {
            return Ok(p.clone());
        }
        let mut req = self.client.people(self.options.organization_id).list();
        if let Some(n) = self.options.per_page {
            req = req.per_page(n);
        }
        if let Some(s) = cache.since {
            req = req.updated_since(s);
        }
        let mut pages = req.raw_pages();
        let mut started = None;
        while let Some(page) = pages.try_next().await? {
            started.get_or_insert(page.server_time.unwrap_or_else(now));
            for value in page.items {
                if let Ok(p) = decode_value::<models::Person>(value, "person")
                    && let Some(id) = p.canonical_id()
                {
                    cache.by_id.insert(id, p);
                }
            }
        }
        cache.since = Some(started.unwrap_or_else(now) - OVERLAP_SECONDS);
        cache.by_id.get(person_id).cloned().ok_or_else(|| {
            Error::not_found(
                SYSTEM,
                format!(
                    "person {person_id} among organization {}'s people",
                    self.options.organization_id
                ),
            )
        })
    }

    async fn record_attendance(
        &self,
        person_id: &str,
        event_id: &str,
        shift_id: Option<&str>,
        status: &AttendanceStatus,
    ) -> Result<WriteOutcome, Error> {
        if *status != AttendanceStatus::Registered {
            return Err(Error::invalid_input(
                "status",
                format!(
                    "Mobilize's API creates signups (registered) only; cannot record `{status}`"
                ),
            ));
        }
        let event: u64 = event_id.parse().map_err(|_| {
            Error::invalid_input(
                "event_id",
                format!("{event_id:?} is not a Mobilize event id"),
            )
        })?;
        let timeslot: u64 = match shift_id {
            Some(s) => s.parse().map_err(|_| {
                Error::invalid_input("shift_id", format!("{s:?} is not a Mobilize timeslot id"))
            })?,
            None => {
                let ev = self
                    .client
                    .events(self.options.organization_id)
                    .get(event)
                    .await?;
                let t = now();
                let upcoming: Vec<u64> = ev
                    .timeslots
                    .iter()
                    .filter(|s| s.start_date.is_some_and(|d| d > t))
                    .filter_map(|s| s.id)
                    .collect();
                match upcoming.as_slice() {
                    [only] => *only,
                    other => {
                        return Err(Error::invalid_input(
                            "shift_id",
                            format!(
                                "event {event} has {} upcoming timeslots; Mobilize signs people up for a timeslot, so name one",
                                other.len()
                            ),
                        ));
                    }
                }
            }
        };
        let person = self.signup_person(person_id).await?;
        let required = |v: Option<&str>, field: &str| {
            v.map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .ok_or_else(|| {
                    Error::invalid_input(
                        format!("person {person_id}.{field}"),
                        "Mobilize requires it for a signup",
                    )
                })
        };
        let body = CreateAttendance {
            person: AttendancePerson {
                given_name: required(person.given_name.as_deref(), "given_name")?,
                family_name: required(person.family_name.as_deref(), "family_name")?,
                email_address: required(person.email(), "email_address")?,
                phone_number: person.phone().map(str::to_string),
                postal_code: required(person.postal_code(), "postal_code")?,
            },
            // Never opt someone in on their behalf: leave Mobilize's default.
            sms_opt_in_status: None,
            timeslots: vec![TimeslotRef {
                timeslot_id: timeslot,
            }],
            referrer: None,
        };
        let created = self
            .client
            .attendances(self.options.organization_id)
            .create(event, &body)
            .await?;
        Ok(match created.first() {
            Some(a) => WriteOutcome::Created {
                id: a.canonical_id(),
            },
            None => WriteOutcome::Applied,
        })
    }
}

#[async_trait]
impl Connector for MobilizeConnector {
    fn info(&self) -> ConnectorInfo {
        let mut reads = vec![EntityKind::Events, EntityKind::Shifts, EntityKind::Tags];
        let mut incremental = vec![EntityKind::Events, EntityKind::Shifts];
        let mut writes = vec![];
        if self.client.has_key() {
            reads.extend([EntityKind::People, EntityKind::Attendances]);
            incremental.extend([EntityKind::People, EntityKind::Attendances]);
            writes.push(WriteKind::RecordAttendance);
        }
        ConnectorInfo {
            system: SYSTEM.into(),
            reads: reads.into_iter().collect(),
            incremental: incremental.into_iter().collect(),
            writes: writes.into_iter().collect(),
        }
    }

    /// Reads one event: a required route every account answers, which
    /// still refuses a wrong key (403), so a key without access to people
    /// or attendances passes and those reads are reported as not offered.
    async fn check(&self) -> Result<(), Error> {
        self.client
            .events(self.options.organization_id)
            .list()
            .per_page(1)
            .send()
            .await
            .map(|_| ())
    }

    fn read(&self, kind: EntityKind, since: Option<Checkpoint>) -> PageStream<'_> {
        let Some(phases) = self.phases(&kind) else {
            return unsupported_read(SYSTEM, &kind);
        };
        let start = match since {
            None => Position::default(),
            Some(cp) => match cp.decode::<Position>() {
                Ok(p) => p,
                Err(e) => return stream::once(async move { Err(e) }).boxed(),
            },
        };
        let optional = phases
            .iter()
            .any(|p| matches!(p.source, Source::People | Source::Attendances));
        let what = format!("read {kind}");
        let pages = self.walk(kind, phases, start);
        if optional {
            // People and attendances need a key with access to the
            // organization's volunteer data (see the crate's route table):
            // a 404 before the first page means this account lacks it.
            optional_read(pages, SYSTEM, &what)
        } else {
            pages
        }
    }

    async fn write(&self, op: &WriteOp) -> Result<WriteOutcome, Error> {
        match op {
            WriteOp::RecordAttendance {
                person_id,
                event_id,
                shift_id,
                status,
                ..
            } if self.client.has_key() => {
                self.record_attendance(person_id, event_id, shift_id.as_deref(), status)
                    .await
            }
            other => Err(canvass_core::unsupported_write(SYSTEM, other)),
        }
    }
}
