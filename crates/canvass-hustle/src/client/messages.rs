//! Messages: `GET /messages/{id}` (documented) and `GET /messages`, a
//! cursor-paginated list filtered by lead or group (**UNVERIFIED**: Hustle's
//! v3 reference documents only the single-message read; the list follows the
//! v3 list conventions). The list path is configurable for that reason.

use futures::stream::BoxStream;

use canvass_core::Error;

use super::{CursorPage, HustleClient, ListRequest};
use crate::models::Message;

/// The messages API.
#[derive(Debug, Clone, Copy)]
pub struct MessagesHandler<'a> {
    pub(crate) client: &'a HustleClient,
}

impl MessagesHandler<'_> {
    /// Lists messages from `GET /messages`.
    pub fn list(&self) -> MessagesList {
        MessagesList {
            inner: ListRequest::new(self.client, "messages", "message"),
        }
    }

    /// Lists messages from another path (an account whose message export
    /// lives elsewhere).
    pub fn list_at(&self, path: &str) -> MessagesList {
        MessagesList {
            inner: ListRequest::new(self.client, path.trim_start_matches('/'), "message"),
        }
    }

    /// One message and its delivery status.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown id.
    pub async fn get(&self, id: &str) -> Result<Message, Error> {
        let path = format!("messages/{}", encode_segment(id));
        self.client.http.get(path).send_json("message").await
    }
}

/// Percent-encodes one path segment, so an id cannot reach another path.
pub(crate) fn encode_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `GET /messages` with its filters.
#[derive(Debug, Clone)]
#[must_use = "a list does nothing until sent"]
pub struct MessagesList {
    inner: ListRequest,
}

impl MessagesList {
    /// Only messages with this lead.
    pub fn lead(self, id: &str) -> Self {
        MessagesList {
            inner: self.inner.param("leadId", id),
        }
    }

    /// Only messages in this group.
    pub fn group(self, id: &str) -> Self {
        MessagesList {
            inner: self.inner.param("groupId", id),
        }
    }

    /// Only messages of this organization.
    pub fn organization(self, id: &str) -> Self {
        MessagesList {
            inner: self.inner.param("organizationId", id),
        }
    }

    /// Items per page (at most 1000).
    pub fn limit(self, limit: u32) -> Self {
        MessagesList {
            inner: self.inner.limit(limit),
        }
    }

    /// Resumes from a cursor.
    pub fn start_at(self, cursor: Option<String>) -> Self {
        MessagesList {
            inner: self.inner.start_at(cursor),
        }
    }

    /// Streams the pages.
    pub fn send(self) -> BoxStream<'static, Result<CursorPage, Error>> {
        self.inner.send()
    }

    /// Reads every message.
    ///
    /// # Errors
    /// The first request or decode error.
    pub async fn all(self) -> Result<Vec<Message>, Error> {
        self.inner.all().await
    }
}

#[cfg(test)]
mod tests {
    use super::encode_segment;

    #[test]
    fn ids_cannot_escape_their_path_segment() {
        assert_eq!(encode_segment("abc-1_2"), "abc-1_2");
        assert_eq!(encode_segment("../leads?x=1"), "%2E%2E%2Fleads%3Fx%3D1");
    }
}
