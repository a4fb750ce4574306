//! The directory objects: organizations, groups, agents, tags and custom
//! fields. Each lists with the same cursor pagination; groups, agents, tags
//! and custom fields can be created, agents updated (`PUT /agents/{id}`).

use canvass_core::Error;
use serde::de::DeserializeOwned;

use super::messages::encode_segment;
use super::{HustleClient, ListRequest};
use crate::models::NewResource;

/// Which directory endpoint a [`DirectoryHandler`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResourceKind {
    /// `/organizations` (read only).
    Organizations,
    /// `/groups`.
    Groups,
    /// `/agents`.
    Agents,
    /// `/tags`.
    Tags,
    /// `/custom_fields`.
    CustomFields,
}

impl ResourceKind {
    /// The endpoint path.
    pub fn path(self) -> &'static str {
        match self {
            ResourceKind::Organizations => "organizations",
            ResourceKind::Groups => "groups",
            ResourceKind::Agents => "agents",
            ResourceKind::Tags => "tags",
            ResourceKind::CustomFields => "custom_fields",
        }
    }

    fn entity(self) -> &'static str {
        match self {
            ResourceKind::Organizations => "organization",
            ResourceKind::Groups => "group",
            ResourceKind::Agents => "agent",
            ResourceKind::Tags => "tag",
            ResourceKind::CustomFields => "custom field",
        }
    }
}

/// One directory endpoint.
#[derive(Debug, Clone, Copy)]
pub struct DirectoryHandler<'a> {
    client: &'a HustleClient,
    kind: ResourceKind,
}

impl<'a> DirectoryHandler<'a> {
    pub(crate) fn new(client: &'a HustleClient, kind: ResourceKind) -> Self {
        DirectoryHandler { client, kind }
    }

    /// Lists the objects; narrow with `.param("organizationId", id)`.
    pub fn list(&self) -> ListRequest {
        ListRequest::new(self.client, self.kind.path(), self.kind.entity())
    }

    /// Creates one (`POST`); decodes the answer as `T`
    /// ([`Tag`](crate::models::Tag) or [`Resource`](crate::models::Resource)).
    ///
    /// # Errors
    /// [`Error::Unsupported`] for organizations; otherwise what Hustle answered.
    pub async fn create<T: DeserializeOwned>(&self, body: &NewResource) -> Result<T, Error> {
        if self.kind == ResourceKind::Organizations {
            return Err(Error::unsupported(super::SYSTEM, "create organizations"));
        }
        self.client
            .http
            .post(self.kind.path())
            .json(body)
            .send_json(self.kind.entity())
            .await
    }

    /// Replaces one (`PUT /agents/{id}`; agents only).
    ///
    /// # Errors
    /// [`Error::Unsupported`] for anything but agents.
    pub async fn update<T: DeserializeOwned>(
        &self,
        id: &str,
        body: &NewResource,
    ) -> Result<T, Error> {
        if self.kind != ResourceKind::Agents {
            return Err(Error::unsupported(
                super::SYSTEM,
                format!("update {}", self.kind.path()),
            ));
        }
        let path = format!("agents/{}", encode_segment(id));
        self.client
            .http
            .put(path)
            .json(body)
            .send_json(self.kind.entity())
            .await
    }
}
