//! People: list (all or modified since), get, the person signup helper
//! (`POST /people`, an upsert) and `PUT /people/{id}`.

use canvass_core::Error;
use canvass_core::http::StatusCode;
use serde_json::{Value, json};

use super::{ActionNetworkClient, ListRequest, Written};
use crate::models::{Person, SignupPerson};

/// The people API; from [`ActionNetworkClient::people`].
#[derive(Debug, Clone, Copy)]
pub struct People<'a> {
    pub(crate) client: &'a ActionNetworkClient,
}

impl<'a> People<'a> {
    /// Lists people. Action Network's people collection has no
    /// `total_pages`, is not ordered by `modified_date`, and keeps a `next`
    /// link on its last page: the walk ends on the first empty page.
    pub fn list(self) -> ListRequest<'a> {
        self.client.list("people")
    }

    /// One person.
    ///
    /// # Errors
    /// [`Error::NotFound`] when there is no such person.
    pub async fn get(self, id: &str) -> Result<Person, Error> {
        self.client.get(&format!("people/{id}")).await
    }

    /// The person signup helper, `POST /people`: Action Network matches an
    /// existing person by email address and by phone number and updates
    /// them, or creates a new one. New people are subscribed to email unless
    /// a status says otherwise; a new phone is unsubscribed unless
    /// `status: "subscribed"` is passed; an existing person's statuses change
    /// only when a status is passed. Safe to retry, since it is an upsert.
    pub fn signup(self, person: SignupPerson) -> Signup<'a> {
        Signup {
            client: self.client,
            person,
            add_tags: Vec::new(),
            background: false,
        }
    }

    /// `PUT /people/{id}`: changes fields of an existing person (not tags:
    /// Action Network ignores tags here).
    pub fn update(self, id: &str, person: SignupPerson) -> UpdatePerson<'a> {
        UpdatePerson {
            client: self.client,
            id: id.to_string(),
            person,
            background: false,
        }
    }

    /// The person's taggings (`GET /people/{id}/taggings`).
    pub fn taggings(self, id: &str) -> ListRequest<'a> {
        self.client.list(format!("people/{id}/taggings"))
    }

    /// The person's RSVPs (`GET /people/{id}/attendances`).
    pub fn attendances(self, id: &str) -> ListRequest<'a> {
        self.client.list(format!("people/{id}/attendances"))
    }

    /// The person's donations (`GET /people/{id}/donations`).
    pub fn donations(self, id: &str) -> ListRequest<'a> {
        self.client.list(format!("people/{id}/donations"))
    }
}

/// What the signup helper did.
#[derive(Debug, Clone, PartialEq)]
pub struct SignupOutcome {
    /// The person as Action Network now has them.
    pub person: Person,
    /// Whether a new person was created (HTTP 201) rather than an existing
    /// one matched (HTTP 200).
    pub created: bool,
}

/// A `POST /people` being built; from [`People::signup`].
#[must_use = "a request does nothing until sent"]
#[derive(Debug, Clone)]
pub struct Signup<'a> {
    client: &'a ActionNetworkClient,
    person: SignupPerson,
    add_tags: Vec<String>,
    background: bool,
}

impl Signup<'_> {
    /// Tags (by name; they must exist) to apply to the person.
    pub fn add_tags<I, S>(mut self, tags: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.add_tags.extend(tags.into_iter().map(Into::into));
        self
    }

    /// Asks for `background_processing=true`: Action Network answers at once
    /// and processes later (for bulk writes).
    pub fn background(mut self) -> Self {
        self.background = true;
        self
    }

    /// Sends it.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when the person has neither an email nor a
    /// phone (Action Network cannot match or create them); otherwise what
    /// Action Network answered.
    pub async fn send(self) -> Result<Written<SignupOutcome>, Error> {
        if !self.person.has_contact() {
            return Err(Error::invalid_input(
                "person.email_addresses",
                "Action Network needs an email address or a phone number to match or create a person",
            ));
        }
        let mut body = json!({ "person": self.person });
        if !self.add_tags.is_empty() {
            body["add_tags"] = json!(self.add_tags);
        }
        let mut rb = self.client.http().post("people").json(&body).retry_safe();
        if self.background {
            rb = rb.query_pair("background_processing", "true");
        }
        let resp = rb.send().await?;
        if self.background && is_empty_body(&resp.body) {
            return Ok(Written::Queued);
        }
        let person: Person = resp.json("signed-up person")?;
        let created = resp.status == StatusCode::CREATED;
        Ok(Written::Done(SignupOutcome { person, created }))
    }
}

/// A `PUT /people/{id}` being built; from [`People::update`].
#[must_use = "a request does nothing until sent"]
#[derive(Debug, Clone)]
pub struct UpdatePerson<'a> {
    client: &'a ActionNetworkClient,
    id: String,
    person: SignupPerson,
    background: bool,
}

impl UpdatePerson<'_> {
    /// Asks for background processing.
    pub fn background(mut self) -> Self {
        self.background = true;
        self
    }

    /// Sends it.
    ///
    /// # Errors
    /// [`Error::NotFound`] when there is no such person.
    pub async fn send(self) -> Result<Written<Person>, Error> {
        let rb = self
            .client
            .http()
            .put(format!("people/{}", self.id))
            .json(&self.person);
        super::send_write(rb, self.background, "updated person").await
    }
}

pub(crate) fn is_empty_body(body: &[u8]) -> bool {
    body.iter().all(u8::is_ascii_whitespace)
        || serde_json::from_slice::<Value>(body)
            .map(|v| v.as_object().is_some_and(serde_json::Map::is_empty))
            .unwrap_or(false)
}
