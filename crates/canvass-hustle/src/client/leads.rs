//! Leads: `GET /leads` (filtered, cursor-paginated), `POST /leads` (upsert on
//! organization + phone number: 201 created, 200 updated) and `PATCH /leads`
//! operations (tags, custom fields, opt out / in, group membership).

use futures::stream::BoxStream;

use canvass_core::Error;
use canvass_core::http::StatusCode;

use super::{CursorPage, HustleClient, ListRequest};
use crate::models::{Lead, LeadOperation, LeadUpsert};

/// The leads API.
#[derive(Debug, Clone, Copy)]
pub struct LeadsHandler<'a> {
    pub(crate) client: &'a HustleClient,
}

/// What an upsert did.
#[derive(Debug, Clone, PartialEq)]
pub struct UpsertOutcome {
    /// The lead as stored.
    pub lead: Lead,
    /// True when Hustle created it (201), false when it updated an existing
    /// lead with the same organization and phone number (200).
    pub created: bool,
}

impl<'a> LeadsHandler<'a> {
    /// Lists leads; add filters, then [`LeadsList::send`].
    pub fn list(&self) -> LeadsList {
        LeadsList {
            inner: ListRequest::new(self.client, "leads", "lead"),
        }
    }

    /// Creates the lead, or updates the one with the same organization and
    /// phone number. Safe to retry: it is an upsert.
    ///
    /// # Errors
    /// [`Error::Api`] with status 422 and Hustle's code for an invalid lead
    /// (e.g. a phone number not in E.164).
    pub async fn upsert(&self, lead: &LeadUpsert) -> Result<UpsertOutcome, Error> {
        let resp = self
            .client
            .http
            .post("leads")
            .json(lead)
            .retry_safe()
            .send()
            .await?;
        let created = resp.status == StatusCode::CREATED;
        let lead: Lead = resp.json("upserted lead")?;
        Ok(UpsertOutcome { lead, created })
    }

    /// Applies one operation to lead `id` (`PATCH /leads`, answered 204).
    /// Each operation sets a state, so repeating it is harmless and the
    /// request is retried like a GET.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown lead; [`Error::Api`] (422) for an
    /// unknown tag or group.
    pub async fn update(&self, id: &str, operation: &LeadOperation) -> Result<(), Error> {
        let body = serde_json::json!({ "id": id, "operation": operation });
        self.client
            .http
            .patch("leads")
            .json(&body)
            .retry_safe()
            .send()
            .await?;
        Ok(())
    }

    /// Finds the lead with this E.164 phone number (in `organization`, when given).
    ///
    /// # Errors
    /// Request and decode errors.
    pub async fn find_by_phone(
        &self,
        phone: &str,
        organization: Option<&str>,
    ) -> Result<Option<Lead>, Error> {
        let mut list = self.list().phone_number(phone).limit(1);
        if let Some(org) = organization {
            list = list.organization(org);
        }
        let leads: Vec<Lead> = list.inner.all().await?;
        Ok(leads.into_iter().next())
    }
}

/// `GET /leads` with its filters.
#[derive(Debug, Clone)]
#[must_use = "a list does nothing until sent"]
pub struct LeadsList {
    inner: ListRequest,
}

impl LeadsList {
    /// Only the lead with this id.
    pub fn id(self, id: &str) -> Self {
        LeadsList {
            inner: self.inner.param("id", id),
        }
    }

    /// Only leads with this E.164 phone number.
    pub fn phone_number(self, phone: &str) -> Self {
        LeadsList {
            inner: self.inner.param("phoneNumber", phone),
        }
    }

    /// Only leads of this organization.
    pub fn organization(self, id: &str) -> Self {
        LeadsList {
            inner: self.inner.param("organizationId", id),
        }
    }

    /// Only leads in this group (active ones unless [`LeadsList::status_in_group`] says otherwise).
    pub fn group(self, id: &str) -> Self {
        LeadsList {
            inner: self.inner.param("groupId", id),
        }
    }

    /// With [`LeadsList::group`]: `"active"`, `"inactive"` or `"all"`.
    pub fn status_in_group(self, status: &str) -> Self {
        LeadsList {
            inner: self.inner.param("leadStatusInGroup", status),
        }
    }

    /// Items per page (at most 1000).
    pub fn limit(self, limit: u32) -> Self {
        LeadsList {
            inner: self.inner.limit(limit),
        }
    }

    /// Resumes from a cursor.
    pub fn start_at(self, cursor: Option<String>) -> Self {
        LeadsList {
            inner: self.inner.start_at(cursor),
        }
    }

    /// Streams the pages (items raw, see [`CursorPage::decode`]).
    pub fn send(self) -> BoxStream<'static, Result<CursorPage, Error>> {
        self.inner.send()
    }

    /// Reads every lead.
    ///
    /// # Errors
    /// The first request or decode error.
    pub async fn all(self) -> Result<Vec<Lead>, Error> {
        self.inner.all().await
    }
}
