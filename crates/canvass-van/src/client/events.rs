//! Events, shifts, event types, signups and signup statuses.

use canvass_core::Error;
use chrono::NaiveDate;

use super::codes::{get_list, get_one};
use super::list::{ListRequest, PageLimits};
use super::{VanClient, decode_value};
use crate::models::{Event, EventShift, EventType, Signup, SignupStatus};

/// Collections `GET /events` can expand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventExpand {
    /// Shifts.
    Shifts,
    /// Roles.
    Roles,
    /// Locations.
    Locations,
    /// Codes.
    Codes,
    /// Notes.
    Notes,
}

impl EventExpand {
    /// Shifts, roles and locations: what a sync needs.
    pub const SYNC: [EventExpand; 3] = [
        EventExpand::Shifts,
        EventExpand::Roles,
        EventExpand::Locations,
    ];

    /// VAN's name.
    pub fn as_str(self) -> &'static str {
        match self {
            EventExpand::Shifts => "shifts",
            EventExpand::Roles => "roles",
            EventExpand::Locations => "locations",
            EventExpand::Codes => "codes",
            EventExpand::Notes => "notes",
        }
    }
}

fn expand_list(expand: &[EventExpand]) -> String {
    expand
        .iter()
        .map(|e| e.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

/// Reads VAN's answer to a create: an integer id in the body.
fn created_id(resp: &canvass_core::http::Response, entity: &str) -> Result<u64, Error> {
    resp.json::<u64>(entity)
}

/// The events handler: `van.events()`.
#[derive(Debug, Clone, Copy)]
pub struct Events<'a> {
    client: &'a VanClient,
}

impl<'a> Events<'a> {
    pub(crate) fn new(client: &'a VanClient) -> Self {
        Events { client }
    }

    /// `GET /events` (VAN's page limit here is 50).
    pub fn list(self) -> ListRequest<Event> {
        ListRequest::new(self.client, "events", PageLimits::EVENTS, "events")
    }

    /// `GET /events/{eventId}`.
    pub fn get(self, event_id: u64) -> GetEvent<'a> {
        GetEvent {
            client: self.client,
            event_id,
            expand: Vec::new(),
        }
    }

    /// `POST /events`: creates an event (with its shifts) and returns its id.
    ///
    /// # Errors
    /// As VAN answers (`INVALID_PARAMETER` naming the field).
    pub async fn create(self, event: &Event) -> Result<u64, Error> {
        let resp = self
            .client
            .http
            .post("events")
            .json(event)
            .send()
            .await
            .map_err(|e| self.client.explain(e))?;
        created_id(&resp, "created event id")
    }

    /// `POST /events/{eventId}/shifts`: adds a shift and returns its id.
    ///
    /// # Errors
    /// As VAN answers.
    pub async fn add_shift(self, event_id: u64, shift: &EventShift) -> Result<u64, Error> {
        let resp = self
            .client
            .http
            .post(format!("events/{event_id}/shifts"))
            .json(shift)
            .send()
            .await
            .map_err(|e| self.client.explain(e))?;
        created_id(&resp, "created shift id")
    }

    /// `DELETE /events/{eventId}`.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown event.
    pub async fn delete(self, event_id: u64) -> Result<(), Error> {
        self.client
            .http
            .delete(format!("events/{event_id}"))
            .send()
            .await
            .map(|_| ())
            .map_err(|e| self.client.explain(e))
    }

    /// `GET /events/types`, each with its roles and statuses.
    ///
    /// # Errors
    /// As VAN answers.
    pub async fn types(self) -> Result<Vec<EventType>, Error> {
        get_list(self.client, "events/types", &[], "event types").await
    }
}

impl ListRequest<Event> {
    /// Events starting after this date.
    pub fn starting_after(self, date: NaiveDate) -> Self {
        self.param("startingAfter", date.format("%Y-%m-%d"))
    }

    /// Events starting before this date.
    pub fn starting_before(self, date: NaiveDate) -> Self {
        self.param("startingBefore", date.format("%Y-%m-%d"))
    }

    /// Only these event types.
    pub fn event_type_ids(self, ids: &[u64]) -> Self {
        let ids: Vec<String> = ids.iter().map(u64::to_string).collect();
        self.param("eventTypeIds", ids.join(","))
    }

    /// Collections to expand.
    pub fn expand(self, expand: &[EventExpand]) -> Self {
        self.param("$expand", expand_list(expand))
    }
}

/// `GET /events/{eventId}`; finish with [`send`](Self::send).
#[must_use = "a request does nothing until sent"]
#[derive(Debug)]
pub struct GetEvent<'a> {
    client: &'a VanClient,
    event_id: u64,
    expand: Vec<EventExpand>,
}

impl GetEvent<'_> {
    /// Collections to expand.
    pub fn expand(mut self, expand: &[EventExpand]) -> Self {
        self.expand.extend_from_slice(expand);
        self
    }

    /// Sends it.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown event.
    pub async fn send(self) -> Result<Event, Error> {
        let mut rb = self.client.http.get(format!("events/{}", self.event_id));
        if !self.expand.is_empty() {
            rb = rb.query_pair("$expand", expand_list(&self.expand));
        }
        let value: serde_json::Value = rb
            .send_json("event")
            .await
            .map_err(|e| self.client.explain(e))?;
        decode_value("event", &value)
    }
}

/// The signups handler: `van.signups()`.
#[derive(Debug, Clone, Copy)]
pub struct Signups<'a> {
    client: &'a VanClient,
}

impl<'a> Signups<'a> {
    pub(crate) fn new(client: &'a VanClient) -> Self {
        Signups { client }
    }

    /// `GET /signups?eventId=`.
    pub fn list_by_event(self, event_id: u64) -> ListRequest<Signup> {
        ListRequest::new(self.client, "signups", PageLimits::STANDARD, "signups")
            .param("eventId", event_id)
    }

    /// `GET /signups?vanId=` (403 when the key cannot see the person).
    pub fn list_by_person(self, van_id: u64) -> ListRequest<Signup> {
        ListRequest::new(self.client, "signups", PageLimits::STANDARD, "signups")
            .param("vanId", van_id)
    }

    /// `POST /signups`: VAN's upsert on (person, event, shift, role); answers
    /// 201 with the signup id whether it created or updated. Being an
    /// upsert, it is retried after transient failures.
    ///
    /// # Errors
    /// As VAN answers (`INVALID_PARAMETER` naming the field).
    pub async fn create(self, signup: &Signup) -> Result<u64, Error> {
        let resp = self
            .client
            .http
            .post("signups")
            .json(signup)
            .retry_safe()
            .send()
            .await
            .map_err(|e| self.client.explain(e))?;
        created_id(&resp, "created signup id")
    }

    /// `GET /signups/{eventSignupId}`.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown signup.
    pub async fn get(self, signup_id: u64) -> Result<Signup, Error> {
        get_one(self.client, &format!("signups/{signup_id}"), "signup").await
    }

    /// `PUT /signups/{eventSignupId}` with the whole signup.
    ///
    /// # Errors
    /// As VAN answers.
    pub async fn update(self, signup_id: u64, signup: &Signup) -> Result<(), Error> {
        self.client
            .http
            .put(format!("signups/{signup_id}"))
            .json(signup)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| self.client.explain(e))
    }

    /// Changes a signup's status (reads it, then `PUT`s it back).
    ///
    /// # Errors
    /// As VAN answers.
    pub async fn update_status(self, signup_id: u64, status_id: u64) -> Result<(), Error> {
        let mut signup = self.get(signup_id).await?;
        signup.status = SignupStatus {
            status_id,
            name: None,
        };
        self.update(signup_id, &signup).await
    }

    /// `DELETE /signups/{eventSignupId}`.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown signup.
    pub async fn delete(self, signup_id: u64) -> Result<(), Error> {
        self.client
            .http
            .delete(format!("signups/{signup_id}"))
            .send()
            .await
            .map(|_| ())
            .map_err(|e| self.client.explain(e))
    }

    /// `GET /signups/statuses?eventId=`.
    ///
    /// # Errors
    /// As VAN answers.
    pub async fn statuses_for_event(self, event_id: u64) -> Result<Vec<SignupStatus>, Error> {
        get_list(
            self.client,
            "signups/statuses",
            &[("eventId", event_id.to_string())],
            "signup statuses",
        )
        .await
    }

    /// `GET /signups/statuses?eventTypeId=`.
    ///
    /// # Errors
    /// As VAN answers.
    pub async fn statuses_for_event_type(
        self,
        event_type_id: u64,
    ) -> Result<Vec<SignupStatus>, Error> {
        get_list(
            self.client,
            "signups/statuses",
            &[("eventTypeId", event_type_id.to_string())],
            "signup statuses",
        )
        .await
    }
}
