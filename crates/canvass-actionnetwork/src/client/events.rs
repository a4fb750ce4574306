//! Events, their attendances (RSVPs) and the record-attendance helper.

use canvass_core::Error;
use serde_json::{Value, json};

use super::{ActionNetworkClient, ListRequest, Written};
use crate::models::{Attendance, Event, SignupPerson};

/// The events API; from [`ActionNetworkClient::events`].
#[derive(Debug, Clone, Copy)]
pub struct Events<'a> {
    pub(crate) client: &'a ActionNetworkClient,
}

impl<'a> Events<'a> {
    /// Lists events.
    pub fn list(self) -> ListRequest<'a> {
        self.client.list("events")
    }

    /// One event.
    ///
    /// # Errors
    /// [`Error::NotFound`] when there is no such event.
    pub async fn get(self, id: &str) -> Result<Event, Error> {
        self.client.get(&format!("events/{id}")).await
    }

    /// An event's RSVPs (`GET /events/{id}/attendances`).
    pub fn attendances(self, event_id: &str) -> ListRequest<'a> {
        self.client.list(format!("events/{event_id}/attendances"))
    }

    /// The record-attendance helper (`POST /events/{id}/attendances`): one
    /// RSVP per person per event, so recording again updates it.
    pub fn record_attendance(self, event_id: &str) -> RecordAttendance<'a> {
        RecordAttendance {
            client: self.client,
            event_id: event_id.to_string(),
            person: None,
            person_id: None,
            status: None,
            add_tags: Vec::new(),
            background: false,
        }
    }
}

/// A `POST /events/{id}/attendances` being built; from [`Events::record_attendance`].
#[must_use = "a request does nothing until sent"]
#[derive(Debug, Clone)]
pub struct RecordAttendance<'a> {
    client: &'a ActionNetworkClient,
    event_id: String,
    person: Option<SignupPerson>,
    person_id: Option<String>,
    status: Option<String>,
    add_tags: Vec<String>,
    background: bool,
}

impl RecordAttendance<'_> {
    /// An existing person, by id (sent as an `osdi:person` link).
    pub fn person_id(mut self, id: &str) -> Self {
        self.person_id = Some(id.to_string());
        self
    }

    /// A person hash; Action Network upserts the person as the signup helper does.
    pub fn person(mut self, person: SignupPerson) -> Self {
        self.person = Some(person);
        self
    }

    /// The RSVP status (`accepted`, `tentative`, `declined`, `needs action`).
    pub fn status(mut self, status: &str) -> Self {
        self.status = Some(status.to_string());
        self
    }

    /// Tags (by name) to apply to the person.
    pub fn add_tags<I, S>(mut self, tags: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.add_tags.extend(tags.into_iter().map(Into::into));
        self
    }

    /// Asks for background processing.
    pub fn background(mut self) -> Self {
        self.background = true;
        self
    }

    /// Sends it.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when no person was given; [`Error::NotFound`]
    /// for an unknown event or person.
    pub async fn send(self) -> Result<Written<Attendance>, Error> {
        let mut body = serde_json::Map::new();
        match (&self.person, &self.person_id) {
            (Some(p), _) => {
                body.insert(
                    "person".into(),
                    serde_json::to_value(p)
                        .map_err(|e| Error::invalid_input("person", e.to_string()))?,
                );
            }
            (None, Some(id)) => {
                body.insert(
                    "_links".into(),
                    json!({ "osdi:person": { "href": self.client.href(&format!("people/{id}")) } }),
                );
            }
            (None, None) => {
                return Err(Error::invalid_input(
                    "attendance.person",
                    "a person or a person id is needed",
                ));
            }
        }
        if let Some(s) = &self.status {
            body.insert("status".into(), Value::String(s.clone()));
        }
        if !self.add_tags.is_empty() {
            body.insert("add_tags".into(), json!(self.add_tags));
        }
        let rb = self
            .client
            .http()
            .post(format!("events/{}/attendances", self.event_id))
            .json(&Value::Object(body))
            .retry_safe();
        super::send_write(rb, self.background, "recorded attendance").await
    }
}
