//! The directory objects: organizations, groups, agents, tags and custom
//! fields. Each lists with the same cursor pagination; groups, agents, tags
//! and custom fields can be created, agents updated (`PUT /agents/{id}`).

use canvass_core::Error;
use serde::de::DeserializeOwned;
use serde_json::Value;

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
    /// The answer may be the object itself or, as Hustle's v3 OpenAPI file
    /// documents for `POST /tags` (201), a list envelope holding it: both
    /// are read. Agents belong to a group, not an organization (the file's
    /// `POST /agents` body has no `organizationId`), so for agents
    /// `organization_id` is not sent; put `groupId` in `fields`.
    ///
    /// # Errors
    /// [`Error::Unsupported`] for organizations; otherwise what Hustle answered.
    pub async fn create<T: DeserializeOwned>(&self, body: &NewResource) -> Result<T, Error> {
        if self.kind == ResourceKind::Organizations {
            return Err(Error::unsupported(super::SYSTEM, "create organizations"));
        }
        let answer: Value = self
            .client
            .http
            .post(self.kind.path())
            .json(&self.body(body))
            .send_json(self.kind.entity())
            .await?;
        super::decode_item(&created(answer), self.kind.entity(), 0)
    }

    /// The JSON sent for `body`: without `organizationId` for agents.
    fn body(&self, body: &NewResource) -> Value {
        let mut value = serde_json::to_value(body).unwrap_or(Value::Null);
        if self.kind == ResourceKind::Agents
            && let Some(o) = value.as_object_mut()
        {
            o.remove("organizationId");
        }
        value
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
            .json(&self.body(body))
            .send_json(self.kind.entity())
            .await
    }
}

/// The created object in a create's answer: the answer itself, or the first
/// item of a list envelope (`{"items": [obj], ...}`).
fn created(answer: Value) -> Value {
    match answer {
        Value::Object(mut o) if !o.contains_key("id") => match o.remove("items") {
            Some(Value::Array(mut items)) if !items.is_empty() => items.swap_remove(0),
            Some(other) => {
                o.insert("items".into(), other);
                Value::Object(o)
            }
            None => Value::Object(o),
        },
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::created;
    use serde_json::json;

    #[test]
    fn a_created_object_is_read_bare_or_from_a_list_envelope() {
        let tag = json!({"id": "t1", "name": "Driver"});
        assert_eq!(created(tag.clone()), tag);
        let envelope = json!({"items": [tag.clone()], "cursor": null, "hasMore": false});
        assert_eq!(created(envelope), tag);
        let odd = json!({"items": [], "message": "?"});
        assert_eq!(created(odd.clone()), odd);
    }
}
