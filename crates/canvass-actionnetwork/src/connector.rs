//! [`ActionNetworkConnector`]: the [`Connector`] for Action Network, built on
//! [`ActionNetworkClient`].
//!
//! ## Reads and checkpoints
//!
//! | kind | collection | incremental |
//! |---|---|---|
//! | people | `people` | yes, `filter=modified_date ge '…'` |
//! | events | `events` | yes |
//! | donations | `donations` | yes |
//! | attendances | `events/{id}/attendances` for every event | yes (events are re-listed, RSVPs filtered) |
//! | actions | `forms/{id}/submissions`, `petitions/{id}/signatures` | yes (forms and petitions re-listed) |
//! | tags | `tags` | **no**: Action Network does not filter tags |
//! | taggings | `tags/{id}/taggings` for every tag | no |
//!
//! Tags and taggings are optional reads: Action Network's docs say tags
//! "are only available when using group API keys", so a 404 before their
//! first page is [`Error::NotOffered`] ("not offered by this account"),
//! which the engine reports as a skipped kind rather than a failure. A 404
//! on any other kind is an error.
//!
//! A checkpoint holds the `modified_date` high-water mark the walk filters
//! on, the highest `modified_date` seen so far, and the position within the
//! walk (the nested collection and the next page). Resuming from a page's
//! checkpoint fetches the page after it, so a crash repeats at most one
//! page. The last page of an incremental walk carries a checkpoint with no
//! position and the new high-water mark, so the next run fetches only what
//! changed since; when the walk ends on an empty page (people always does:
//! its last page keeps a `next` link) a final page with no records carries
//! it. Full reads (tags, taggings) end on a page with no checkpoint: the next
//! run starts over.
//!
//! Action Network's filter compares whole seconds, so incremental reads ask
//! for `modified_date ge '<mark>'`: the records of the mark's second are read
//! again (harmless: the warehouse upserts them unchanged) rather than a record
//! changed later in that same second being lost.

use std::collections::BTreeSet;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use canvass_core::{
    Checkpoint, Connector, ConnectorInfo, EntityKind, Error, Page, PageStream, RawRecord,
    SourceRef, WriteKind, WriteOp, WriteOutcome, optional_read, unsupported_read,
};

use crate::client::{ActionNetworkClient, SYSTEM, Written};
use crate::mapping::{self, Parent};
use crate::models::{self, Resource};

/// The Action Network connector.
///
/// ```no_run
/// # async fn run() -> Result<(), canvass_core::Error> {
/// use canvass_actionnetwork::{ActionNetworkClient, ActionNetworkConnector};
/// use canvass_core::{Connector, EntityKind};
/// use futures::TryStreamExt;
/// let connector = ActionNetworkConnector::new(ActionNetworkClient::new("my-key")?);
/// let mut pages = connector.read(EntityKind::People, None);
/// while let Some(page) = pages.try_next().await? {
///     println!("{} people; resume from {:?}", page.records.len(), page.checkpoint);
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct ActionNetworkConnector {
    client: ActionNetworkClient,
    background: bool,
}

impl ActionNetworkConnector {
    /// A connector over `client`.
    pub fn new(client: ActionNetworkClient) -> ActionNetworkConnector {
        ActionNetworkConnector {
            client,
            background: false,
        }
    }

    /// Sends writes with `background_processing=true` (Action Network
    /// answers at once and processes later; writes then report
    /// [`WriteOutcome::Applied`]).
    pub fn background_processing(mut self, on: bool) -> Self {
        self.background = on;
        self
    }

    /// The typed client underneath.
    pub fn client(&self) -> &ActionNetworkClient {
        &self.client
    }

    /// The ids of the taggings of tag `tag_id` on person `person_id`.
    ///
    /// The person's own taggings (`people/{id}/taggings`) are one request,
    /// but Action Network documents them only as the person's
    /// `osdi:taggings` link, not on its taggings page; when that answers
    /// 404 for a person who exists, the tag's taggings (the documented
    /// collection) are walked instead.
    async fn taggings_of(&self, person_id: &str, tag_id: &str) -> Result<Vec<String>, Error> {
        let ids = |taggings: Vec<models::Tagging>, rel: &str, want: &str| -> Vec<String> {
            taggings
                .iter()
                .filter(|t| t.linked_id(rel).as_deref() == Some(want))
                .filter_map(Resource::id)
                .collect()
        };
        match self.client.people().taggings(person_id).all().await {
            Ok(taggings) => Ok(ids(taggings, "osdi:tag", tag_id)),
            Err(Error::NotFound { .. }) => {
                // An unknown person stays a not-found error.
                self.client.people().get(person_id).await?;
                let taggings = self.client.tags().taggings(tag_id).all().await?;
                Ok(ids(taggings, "osdi:person", person_id))
            }
            Err(e) => Err(e),
        }
    }
}

/// How a kind is read: which collections, and whether it filters on `modified_date`.
#[derive(Debug, Clone, Copy)]
struct Plan {
    /// A top-level collection, or `(parent, child)` pairs walked for every parent.
    source: Source,
    incremental: bool,
    /// Whether some keys lack the routes (a 404 first is "not offered").
    optional: bool,
}

#[derive(Debug, Clone, Copy)]
enum Source {
    Flat(&'static str),
    Nested(&'static [(&'static str, &'static str)]),
}

fn plan(kind: &EntityKind) -> Option<Plan> {
    let (source, incremental) = match kind {
        EntityKind::People => (Source::Flat("people"), true),
        EntityKind::Events => (Source::Flat("events"), true),
        EntityKind::Donations => (Source::Flat("donations"), true),
        EntityKind::Tags => (Source::Flat("tags"), false),
        EntityKind::Taggings => (Source::Nested(&[("tags", "taggings")]), false),
        EntityKind::Attendances => (Source::Nested(&[("events", "attendances")]), true),
        EntityKind::Actions => (
            Source::Nested(&[("forms", "submissions"), ("petitions", "signatures")]),
            true,
        ),
        _ => return None,
    };
    Some(Plan {
        source,
        incremental,
        optional: matches!(kind, EntityKind::Tags | EntityKind::Taggings),
    })
}

/// What a checkpoint holds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct Position {
    /// The `modified_date` the walk filters on (`gt`); none for a full walk.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    since: Option<DateTime<Utc>>,
    /// The highest `modified_date` seen so far in this walk.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    seen: Option<DateTime<Utc>>,
    /// Where in the walk to go on; none when the walk is finished.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    at: Option<At>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct At {
    /// The nested collection being walked (`tags/{id}/taggings`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    path: Option<String>,
    /// Its index among the parents, used when it has disappeared.
    #[serde(default)]
    index: usize,
    /// The next page to fetch.
    page: u32,
}

#[derive(Debug, Clone)]
struct Target {
    path: String,
    parent: Option<(&'static str, String)>,
}

struct Walk<'a> {
    client: &'a ActionNetworkClient,
    kind: EntityKind,
    plan: Plan,
    since: Option<DateTime<Utc>>,
    seen: Option<DateTime<Utc>>,
    targets: Option<Vec<Target>>,
    resume_path: Option<String>,
    index: usize,
    page: u32,
    previous: Option<Vec<Value>>,
    done: bool,
}

impl Walk<'_> {
    fn checkpoint(&self) -> Option<Checkpoint> {
        let at = self
            .targets
            .as_ref()
            .and_then(|t| t.get(self.index))
            .map(|target| At {
                path: target.parent.is_some().then(|| target.path.clone()),
                index: self.index,
                page: self.page,
            });
        match (at, self.plan.incremental) {
            (Some(at), _) => Some(Checkpoint::encode(&Position {
                since: self.since,
                seen: self.seen,
                at: Some(at),
            })),
            // Finished: the next run reads what changed after the highest
            // `modified_date` seen (or from the same mark when nothing was).
            (None, true) => Some(Checkpoint::encode(&Position {
                since: self.seen.max(self.since),
                seen: None,
                at: None,
            })),
            (None, false) => None,
        }
    }

    async fn load_targets(&mut self) -> Result<(), Error> {
        let targets = match self.plan.source {
            Source::Flat(path) => vec![Target {
                path: path.to_string(),
                parent: None,
            }],
            Source::Nested(pairs) => {
                let mut out = Vec::new();
                for (parent, child) in pairs {
                    let mut pages = self.client.list(*parent).send();
                    while let Some(page) = futures::StreamExt::next(&mut pages).await {
                        for item in page?.items {
                            if let Some(id) = models::resource_id(&item) {
                                out.push(Target {
                                    path: format!("{parent}/{id}/{child}"),
                                    parent: Some((*parent, id)),
                                });
                            }
                        }
                    }
                }
                out
            }
        };
        if let Some(path) = self.resume_path.take() {
            match targets.iter().position(|t| t.path == path) {
                Some(i) => self.index = i,
                // The parent is gone: go on with whichever now holds its place.
                None => self.page = 1,
            }
        }
        self.targets = Some(targets);
        Ok(())
    }

    async fn next_page(&mut self) -> Result<Option<Page>, Error> {
        loop {
            if self.done {
                return Ok(None);
            }
            if self.targets.is_none() {
                self.load_targets().await?;
            }
            let Some(target) = self
                .targets
                .as_ref()
                .and_then(|t| t.get(self.index))
                .cloned()
            else {
                self.done = true;
                return Ok(Some(Page {
                    checkpoint: self.checkpoint(),
                    ..Page::default()
                }));
            };
            let mut req = self.client.list(target.path.clone());
            if let (true, Some(since)) = (self.plan.incremental, self.since) {
                req = req.modified_since(since);
            }
            let hal = req.fetch_page(self.page).await?;
            if hal.items.is_empty() {
                self.index += 1;
                self.page = 1;
                self.previous = None;
                continue;
            }
            if self.previous.as_ref() == Some(&hal.items) {
                return Err(Error::Api {
                    system: SYSTEM.to_string(),
                    status: 200,
                    code: Some("PAGINATION_LOOP".into()),
                    message: format!(
                        "{} page {} repeats the page before it; stopping instead of looping",
                        target.path, self.page
                    ),
                    fields: vec![],
                });
            }
            let parent = target
                .parent
                .as_ref()
                .map(|(collection, id)| Parent { collection, id });
            let mut page = Page::default();
            for (i, item) in hal.items.iter().enumerate() {
                let label = format!("{} page {} item {i}", target.path, self.page);
                if let Some(t) = item
                    .get("modified_date")
                    .and_then(Value::as_str)
                    .and_then(mapping::parse_time)
                {
                    self.seen = self.seen.max(Some(t));
                }
                page.raw.push(RawRecord {
                    source: SourceRef::new(
                        SYSTEM,
                        models::resource_id(item).unwrap_or_else(|| label.clone()),
                    ),
                    kind: self.kind.clone(),
                    json: item.clone(),
                });
                match mapping::map_item(&self.kind, parent, &label, item) {
                    Ok((record, issues)) => {
                        page.records.push(record);
                        page.issues.extend(issues);
                    }
                    Err(issue) => page.issues.push(issue),
                }
            }
            if hal.is_last() {
                self.index += 1;
                self.page = 1;
                self.previous = None;
            } else {
                self.page += 1;
                self.previous = Some(hal.items);
            }
            let finished = self.targets.as_ref().is_some_and(|t| self.index >= t.len());
            page.checkpoint = self.checkpoint();
            self.done = finished;
            return Ok(Some(page));
        }
    }
}

fn info() -> ConnectorInfo {
    let reads: BTreeSet<EntityKind> = [
        EntityKind::People,
        EntityKind::Events,
        EntityKind::Attendances,
        EntityKind::Tags,
        EntityKind::Taggings,
        EntityKind::Donations,
        EntityKind::Actions,
    ]
    .into_iter()
    .collect();
    let incremental = reads
        .iter()
        .filter(|k| plan(k).is_some_and(|p| p.incremental))
        .cloned()
        .collect();
    ConnectorInfo {
        system: SYSTEM.to_string(),
        reads,
        incremental,
        writes: [
            WriteKind::UpsertPerson,
            WriteKind::ApplyTag,
            WriteKind::RemoveTag,
            WriteKind::RecordAttendance,
        ]
        .into_iter()
        .collect(),
    }
}

fn outcome<R: Resource>(written: Written<R>, created: impl Fn(&R) -> bool) -> WriteOutcome {
    match written {
        Written::Queued => WriteOutcome::Applied,
        Written::Done(r) => match r.id() {
            Some(id) if created(&r) => WriteOutcome::Created { id },
            Some(id) => WriteOutcome::Updated { id },
            None => WriteOutcome::Applied,
        },
    }
}

#[async_trait]
impl Connector for ActionNetworkConnector {
    /// People, events, donations, attendances and actions (form submissions,
    /// petition signatures) are incremental; tags and taggings are full reads
    /// because Action Network does not filter tags.
    fn info(&self) -> ConnectorInfo {
        info()
    }

    async fn check(&self) -> Result<(), Error> {
        self.client.entry_point().await.map(|_| ())
    }

    fn read(&self, kind: EntityKind, since: Option<Checkpoint>) -> PageStream<'_> {
        let Some(plan) = plan(&kind) else {
            return unsupported_read(SYSTEM, &kind);
        };
        let position: Position = match since.as_ref().map(Checkpoint::decode).transpose() {
            Ok(p) => p.unwrap_or_default(),
            Err(e) => return Box::pin(futures::stream::once(async move { Err(e) })),
        };
        let walk = Walk {
            client: &self.client,
            kind,
            plan,
            since: if plan.incremental {
                position.since
            } else {
                None
            },
            seen: position.seen,
            targets: None,
            resume_path: position.at.as_ref().and_then(|a| a.path.clone()),
            index: position.at.as_ref().map_or(0, |a| a.index),
            page: position.at.as_ref().map_or(1, |a| a.page.max(1)),
            previous: None,
            done: false,
        };
        let what = format!("read {}", walk.kind);
        let pages: PageStream<'_> =
            Box::pin(futures::stream::try_unfold(walk, |mut walk| async move {
                Ok(walk.next_page().await?.map(|page| (page, walk)))
            }));
        if plan.optional {
            // Tags exist only for group API keys (see the route table): a
            // 404 before the first page means this key has none.
            optional_read(pages, SYSTEM, &what)
        } else {
            pages
        }
    }

    async fn write(&self, op: &WriteOp) -> Result<WriteOutcome, Error> {
        match op {
            WriteOp::UpsertPerson { person } => {
                let mut signup = self.client.people().signup(mapping::signup_person(person));
                if self.background {
                    signup = signup.background();
                }
                Ok(match signup.send().await? {
                    Written::Queued => WriteOutcome::Applied,
                    Written::Done(o) => match o.person.id() {
                        Some(id) if o.created => WriteOutcome::Created { id },
                        Some(id) => WriteOutcome::Updated { id },
                        None => WriteOutcome::Applied,
                    },
                })
            }
            WriteOp::ApplyTag { person_id, tag_id } => {
                let written = self
                    .client
                    .tags()
                    .add_tagging(tag_id, person_id, self.background)
                    .await?;
                Ok(outcome(written, |t: &models::Tagging| {
                    t.created_date == t.modified_date
                }))
            }
            WriteOp::RemoveTag { person_id, tag_id } => {
                // Removing a tag the person does not have leaves the same
                // state, so it is not an error.
                for id in self.taggings_of(person_id, tag_id).await? {
                    self.client.tags().remove_tagging(tag_id, &id).await?;
                }
                Ok(WriteOutcome::Applied)
            }
            WriteOp::RecordAttendance {
                person_id,
                event_id,
                shift_id,
                role_id,
                status,
            } => {
                if shift_id.is_some() || role_id.is_some() {
                    return Err(Error::invalid_input(
                        if shift_id.is_some() {
                            "shift_id"
                        } else {
                            "role_id"
                        },
                        "Action Network events have no shifts or roles",
                    ));
                }
                let mut req = self
                    .client
                    .events()
                    .record_attendance(event_id)
                    .person_id(person_id)
                    .status(mapping::attendance_status_out(status)?);
                if self.background {
                    req = req.background();
                }
                let written = req.send().await?;
                Ok(outcome(written, |a: &models::Attendance| {
                    a.created_date == a.modified_date
                }))
            }
            other => Err(canvass_core::unsupported_write(SYSTEM, other)),
        }
    }
}
