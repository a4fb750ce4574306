//! An organization's attendances (signups), and creating a signup.

use canvass_core::Error;
use serde_json::Value;

use super::{ListRequest, MobilizeClient, unwrap_data};
use crate::models::{Attendance, CreateAttendance, Envelope};

/// `GET /organizations/:org/attendances`, `GET …/events/:id/attendances` and
/// `POST …/events/:id/attendances` (all need a key).
#[derive(Debug, Clone, Copy)]
pub struct AttendancesHandler<'a> {
    pub(crate) client: &'a MobilizeClient,
    pub(crate) org: u64,
}

impl<'a> AttendancesHandler<'a> {
    /// Attendances promoted by the organization or for its events; filter
    /// with [`ListRequest::updated_since`].
    pub fn list(&self) -> ListRequest<'a, Attendance> {
        ListRequest::new(
            self.client,
            format!("organizations/{}/attendances", self.org),
            "attendance",
        )
    }

    /// One event's attendances.
    pub fn for_event(&self, event_id: u64) -> ListRequest<'a, Attendance> {
        ListRequest::new(
            self.client,
            format!("organizations/{}/events/{event_id}/attendances", self.org),
            "attendance",
        )
    }

    /// Signs a person up for timeslots of an event. Mobilize matches the
    /// person by email (creating them when new, updating them otherwise) and
    /// answers 201 with one attendance per timeslot.
    ///
    /// Not retried on failure (only after a 429, which means nothing was done):
    /// Mobilize does not document whether a repeated signup is deduplicated.
    ///
    /// # Errors
    /// [`Error::Api`] with status 400 naming the invalid fields (an unknown
    /// or past timeslot, a missing email); [`Error::Auth`] for a bad key.
    pub async fn create(
        &self,
        event_id: u64,
        body: &CreateAttendance,
    ) -> Result<Vec<Attendance>, Error> {
        let env: Envelope<Value> = self
            .client
            .http
            .post(format!(
                "organizations/{}/events/{event_id}/attendances",
                self.org
            ))
            .json(body)
            .send_json("created attendances")
            .await?;
        unwrap_data(env, "created attendances")
    }
}
