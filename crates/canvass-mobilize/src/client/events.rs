//! An organization's events: list (with the documented filters), deleted
//! events, one event, and event writes.

use canvass_core::Error;
use futures::stream::BoxStream;
use serde_json::Value;

use super::{ListPage, ListRequest, MobilizeClient, unwrap_data};
use crate::models::{DeletedEvent, Envelope, Event, EventInput, EventType, Visibility};

/// A point in time for a comparison filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeRef {
    /// Unix seconds.
    Unix(i64),
    /// The server's "now".
    Now,
}

/// A comparison filter value (`gte_1514764800`, `lt_now`).
///
/// ```
/// use canvass_mobilize::client::{Compare, TimeRef};
/// assert_eq!(Compare::Gte(TimeRef::Unix(1514764800)).to_string(), "gte_1514764800");
/// assert_eq!(Compare::Lt(TimeRef::Now).to_string(), "lt_now");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compare {
    /// ≥.
    Gte(TimeRef),
    /// >.
    Gt(TimeRef),
    /// ≤.
    Lte(TimeRef),
    /// <.
    Lt(TimeRef),
}

impl std::fmt::Display for Compare {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (op, at) = match self {
            Compare::Gte(t) => ("gte", t),
            Compare::Gt(t) => ("gt", t),
            Compare::Lte(t) => ("lte", t),
            Compare::Lt(t) => ("lt", t),
        };
        match at {
            TimeRef::Unix(s) => write!(f, "{op}_{s}"),
            TimeRef::Now => write!(f, "{op}_now"),
        }
    }
}

/// Events of one organization: `GET/POST /organizations/:org/events`,
/// `GET/PUT/DELETE …/events/:id`, `GET …/events/deleted`.
#[derive(Debug, Clone, Copy)]
pub struct EventsHandler<'a> {
    pub(crate) client: &'a MobilizeClient,
    pub(crate) org: u64,
}

impl<'a> EventsHandler<'a> {
    /// The organization's events, and those of organizations it promotes.
    /// Without a key, or without `visibility(Private)`, only public events
    /// come back.
    ///
    /// ```no_run
    /// # async fn run(client: canvass_mobilize::client::MobilizeClient) -> Result<(), canvass_core::Error> {
    /// use canvass_mobilize::client::{Compare, TimeRef};
    /// let upcoming = client.events(42).list().timeslot_start(Compare::Gte(TimeRef::Now)).all().await?;
    /// # Ok(()) }
    /// ```
    pub fn list(&self) -> EventsList<'a> {
        EventsList {
            inner: ListRequest::new(
                self.client,
                format!("organizations/{}/events", self.org),
                "event",
            ),
        }
    }

    /// Events deleted from the organization (filter with
    /// [`ListRequest::updated_since`]).
    pub fn deleted(&self) -> ListRequest<'a, DeletedEvent> {
        ListRequest::new(
            self.client,
            format!("organizations/{}/events/deleted", self.org),
            "deleted event",
        )
    }

    /// One event of (or promoted by) the organization.
    ///
    /// # Errors
    /// [`Error::NotFound`] when the organization neither owns nor promotes it.
    pub async fn get(&self, event_id: u64) -> Result<Event, Error> {
        self.client
            .get_one(
                &format!("organizations/{}/events/{event_id}", self.org),
                "event",
                false,
            )
            .await
    }

    /// One public event by id (`GET /events/:id`, no key sent).
    ///
    /// # Errors
    /// [`Error::NotFound`] for a private event.
    pub async fn get_public(&self, event_id: u64) -> Result<Event, Error> {
        self.client
            .get_one(&format!("events/{event_id}"), "event", true)
            .await
    }

    /// Creates an in-person event (a restricted endpoint).
    ///
    /// # Errors
    /// [`Error::Api`] with status 400 naming invalid fields.
    pub async fn create(&self, event: &EventInput) -> Result<Event, Error> {
        let env: Envelope<Value> = self
            .client
            .http
            .post(format!("organizations/{}/events", self.org))
            .json(event)
            .send_json("created event")
            .await?;
        unwrap_data(env, "created event")
    }

    /// Replaces an event's editable fields (what is left out is removed;
    /// timeslots not listed are deleted). `notify` sends attendees emails
    /// about changed times or places.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown event; [`Error::Api`] for invalid fields.
    pub async fn update(
        &self,
        event_id: u64,
        event: &EventInput,
        notify: bool,
    ) -> Result<Event, Error> {
        let env: Envelope<Value> = self
            .client
            .http
            .put(format!("organizations/{}/events/{event_id}", self.org))
            .query_pair("send_update_notifications", notify.to_string())
            .json(event)
            .send_json("updated event")
            .await?;
        unwrap_data(env, "updated event")
    }

    /// Deletes an event. `notify` tells attendees.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown event.
    pub async fn delete(&self, event_id: u64, notify: bool) -> Result<(), Error> {
        self.client
            .http
            .delete(format!("organizations/{}/events/{event_id}", self.org))
            .query_pair("send_update_notifications", notify.to_string())
            .send()
            .await?;
        Ok(())
    }
}

/// A list of events being built, with the documented filters.
#[derive(Debug)]
#[must_use = "a request does nothing until sent"]
pub struct EventsList<'a> {
    inner: ListRequest<'a, Event>,
}

impl<'a> EventsList<'a> {
    /// Only events modified since `unix_seconds`.
    pub fn updated_since(self, unix_seconds: i64) -> Self {
        EventsList {
            inner: self.inner.updated_since(unix_seconds),
        }
    }

    /// Page size.
    pub fn per_page(self, n: u32) -> Self {
        EventsList {
            inner: self.inner.per_page(n),
        }
    }

    /// Timeslots starting per `cmp` (repeat for a range); only matching
    /// timeslots are returned on each event.
    pub fn timeslot_start(self, cmp: Compare) -> Self {
        EventsList {
            inner: self.inner.param("timeslot_start", cmp.to_string()),
        }
    }

    /// Timeslots ending per `cmp` (repeat for a range).
    pub fn timeslot_end(self, cmp: Compare) -> Self {
        EventsList {
            inner: self.inner.param("timeslot_end", cmp.to_string()),
        }
    }

    /// Only `PUBLIC` or only `PRIVATE` events (private needs a key with permission).
    pub fn visibility(self, visibility: Visibility) -> Self {
        EventsList {
            inner: self.inner.param("visibility", visibility.as_str()),
        }
    }

    /// Only events of this type (repeat for several).
    pub fn event_type(self, event_type: EventType) -> Self {
        EventsList {
            inner: self.inner.param("event_types", event_type.as_str()),
        }
    }

    /// Only events with this tag (repeat for several; search-backed, so
    /// results may be limited).
    pub fn tag_id(self, tag_id: u64) -> Self {
        EventsList {
            inner: self.inner.param("tag_id", tag_id.to_string()),
        }
    }

    /// Only virtual (`true`) or in-person (`false`) events.
    pub fn is_virtual(self, is_virtual: bool) -> Self {
        EventsList {
            inner: self.inner.param("is_virtual", is_virtual.to_string()),
        }
    }

    /// Adds any other documented parameter (`zipcode`, `max_dist`,
    /// `exclude_full`, `high_priority_only`, `event_campaign_id`, ...).
    pub fn param(self, key: &str, value: impl Into<String>) -> Self {
        EventsList {
            inner: self.inner.param(key, value),
        }
    }

    /// Sends without the key (the public view: no private events, `contact: null`).
    pub fn public(self) -> Self {
        EventsList {
            inner: self.inner.public(),
        }
    }

    /// The absolute URL of the first page.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when the path does not make a URL.
    pub fn url(&self) -> Result<String, Error> {
        self.inner.url()
    }

    /// Fetches the first page.
    ///
    /// # Errors
    /// Any [`Error`].
    pub async fn send(self) -> Result<ListPage<Event>, Error> {
        self.inner.send().await
    }

    /// Every event across every page.
    pub fn stream(self) -> BoxStream<'a, Result<Event, Error>> {
        self.inner.stream()
    }

    /// Every page as raw JSON.
    pub fn raw_pages(self) -> BoxStream<'a, Result<ListPage<Value>, Error>> {
        self.inner.raw_pages()
    }

    /// Every event, collected.
    ///
    /// # Errors
    /// The first error met.
    pub async fn all(self) -> Result<Vec<Event>, Error> {
        self.inner.all().await
    }
}
