//! Organizations: the public list and an organization's promoted organizations.

use super::{ListRequest, MobilizeClient};
use crate::models::Organization;

/// `GET /organizations` and `GET /organizations/:org/promoted_organizations`.
#[derive(Debug, Clone, Copy)]
pub struct OrganizationsHandler<'a> {
    pub(crate) client: &'a MobilizeClient,
}

impl<'a> OrganizationsHandler<'a> {
    /// Every active organization (public; `updated_since` works here).
    pub fn list(&self) -> ListRequest<'a, Organization> {
        ListRequest::new(self.client, "organizations".into(), "organization")
    }

    /// The organizations `organization_id` promotes (needs a key of that organization).
    pub fn promoted(&self, organization_id: u64) -> ListRequest<'a, Organization> {
        ListRequest::new(
            self.client,
            format!("organizations/{organization_id}/promoted_organizations"),
            "promoted organization",
        )
    }
}
