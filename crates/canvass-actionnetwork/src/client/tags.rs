//! Tags and taggings. Tags cannot be edited or deleted, and their list
//! ignores `filter`: reading tags is always a full read.

use canvass_core::Error;
use serde_json::json;

use super::{ActionNetworkClient, ListRequest, Written};
use crate::models::{Tag, Tagging};

/// The tags API; from [`ActionNetworkClient::tags`].
#[derive(Debug, Clone, Copy)]
pub struct Tags<'a> {
    pub(crate) client: &'a ActionNetworkClient,
}

impl<'a> Tags<'a> {
    /// Lists tags (a full read: Action Network does not filter tags).
    pub fn list(self) -> ListRequest<'a> {
        self.client.list("tags")
    }

    /// One tag.
    ///
    /// # Errors
    /// [`Error::NotFound`] when there is no such tag.
    pub async fn get(self, id: &str) -> Result<Tag, Error> {
        self.client.get(&format!("tags/{id}")).await
    }

    /// Creates a tag (`POST /tags`).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for an empty name; otherwise what Action Network answered.
    pub async fn create(self, name: &str) -> Result<Tag, Error> {
        if name.trim().is_empty() {
            return Err(Error::invalid_input("tag.name", "a tag needs a name"));
        }
        self.client
            .http()
            .post("tags")
            .json(&json!({ "name": name }))
            .send_json("created tag")
            .await
    }

    /// The people a tag is applied to (`GET /tags/{id}/taggings`).
    pub fn taggings(self, tag_id: &str) -> ListRequest<'a> {
        self.client.list(format!("tags/{tag_id}/taggings"))
    }

    /// Applies a tag to a person (`POST /tags/{id}/taggings` with an
    /// `osdi:person` link). Applying it twice leaves one tagging, so it is
    /// retried like a PUT.
    ///
    /// # Errors
    /// [`Error::NotFound`] when the tag or the person does not exist.
    pub async fn add_tagging(
        self,
        tag_id: &str,
        person_id: &str,
        background: bool,
    ) -> Result<Written<Tagging>, Error> {
        let body = json!({ "_links": { "osdi:person": { "href": self.client.href(&format!("people/{person_id}")) } } });
        let rb = self
            .client
            .http()
            .post(format!("tags/{tag_id}/taggings"))
            .json(&body)
            .retry_safe();
        super::send_write(rb, background, "created tagging").await
    }

    /// Removes a tagging (`DELETE /tags/{tag}/taggings/{tagging}`).
    ///
    /// # Errors
    /// [`Error::NotFound`] when there is no such tagging.
    pub async fn remove_tagging(self, tag_id: &str, tagging_id: &str) -> Result<(), Error> {
        self.client
            .http()
            .delete(format!("tags/{tag_id}/taggings/{tagging_id}"))
            .send()
            .await
            .map(|_| ())
    }
}
