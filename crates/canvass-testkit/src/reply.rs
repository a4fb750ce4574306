//! [`Reply`]: what a simulator route answers, before faults touch it.

use wiremock::ResponseTemplate;

/// A simulator's answer: status, headers and body, kept open so injected
/// faults can cut the body or break the connection.
///
/// ```
/// use canvass_testkit::Reply;
/// let r = Reply::json(201, &serde_json::json!({"vanId": 7})).header("location", "/v4/people/7");
/// assert_eq!(r.status, 201);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// HTTP status.
    pub status: u16,
    /// Headers.
    pub headers: Vec<(String, String)>,
    /// Body bytes.
    pub body: Vec<u8>,
    /// The body's content type.
    pub content_type: String,
}

impl Reply {
    /// An empty reply (204 and the like).
    pub fn empty(status: u16) -> Reply {
        Reply {
            status,
            headers: Vec::new(),
            body: Vec::new(),
            content_type: "text/plain".into(),
        }
    }

    /// A JSON reply.
    pub fn json(status: u16, body: &serde_json::Value) -> Reply {
        Reply {
            body: body.to_string().into_bytes(),
            content_type: "application/json".into(),
            ..Reply::empty(status)
        }
    }

    /// A JSON reply with another content type (`application/hal+json`).
    pub fn json_as(status: u16, body: &serde_json::Value, content_type: &str) -> Reply {
        Reply {
            content_type: content_type.into(),
            ..Reply::json(status, body)
        }
    }

    /// A plain-text reply.
    pub fn text(status: u16, body: &str) -> Reply {
        Reply {
            body: body.as_bytes().to_vec(),
            ..Reply::empty(status)
        }
    }

    /// A reply with raw bytes and a content type (a CSV file).
    pub fn bytes(status: u16, body: Vec<u8>, content_type: &str) -> Reply {
        Reply {
            body,
            content_type: content_type.into(),
            ..Reply::empty(status)
        }
    }

    /// Adds a header.
    pub fn header(mut self, name: &str, value: &str) -> Reply {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// The wiremock template that sends this reply.
    pub fn into_template(self) -> ResponseTemplate {
        let mut t = ResponseTemplate::new(self.status);
        for (k, v) in &self.headers {
            t = t.insert_header(k.as_str(), v.as_str());
        }
        t.set_body_raw(self.body, &self.content_type)
    }
}
