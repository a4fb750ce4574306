//! The smaller API areas: donations, fundraising pages, forms, petitions,
//! lists, messages and custom-field metadata.

use canvass_core::Error;
use serde_json::Value;

use super::{ActionNetworkClient, ListRequest};
use crate::models::{ActionPage, Donation};

/// The donations API; from [`ActionNetworkClient::donations`].
#[derive(Debug, Clone, Copy)]
pub struct Donations<'a> {
    pub(crate) client: &'a ActionNetworkClient,
}

impl<'a> Donations<'a> {
    /// Lists every donation (filterable by `modified_date`).
    pub fn list(self) -> ListRequest<'a> {
        self.client.list("donations")
    }

    /// One donation.
    ///
    /// # Errors
    /// [`Error::NotFound`] when there is no such donation.
    pub async fn get(self, id: &str) -> Result<Donation, Error> {
        self.client.get(&format!("donations/{id}")).await
    }
}

/// The fundraising pages API; from [`ActionNetworkClient::fundraising_pages`].
#[derive(Debug, Clone, Copy)]
pub struct FundraisingPages<'a> {
    pub(crate) client: &'a ActionNetworkClient,
}

impl<'a> FundraisingPages<'a> {
    /// Lists fundraising pages.
    pub fn list(self) -> ListRequest<'a> {
        self.client.list("fundraising_pages")
    }

    /// One fundraising page.
    ///
    /// # Errors
    /// [`Error::NotFound`] when there is no such page.
    pub async fn get(self, id: &str) -> Result<ActionPage, Error> {
        self.client.get(&format!("fundraising_pages/{id}")).await
    }

    /// A page's donations.
    pub fn donations(self, page_id: &str) -> ListRequest<'a> {
        self.client
            .list(format!("fundraising_pages/{page_id}/donations"))
    }
}

/// The forms API; from [`ActionNetworkClient::forms`].
#[derive(Debug, Clone, Copy)]
pub struct Forms<'a> {
    pub(crate) client: &'a ActionNetworkClient,
}

impl<'a> Forms<'a> {
    /// Lists forms.
    pub fn list(self) -> ListRequest<'a> {
        self.client.list("forms")
    }

    /// One form.
    ///
    /// # Errors
    /// [`Error::NotFound`] when there is no such form.
    pub async fn get(self, id: &str) -> Result<ActionPage, Error> {
        self.client.get(&format!("forms/{id}")).await
    }

    /// A form's submissions (filterable by `modified_date`).
    pub fn submissions(self, form_id: &str) -> ListRequest<'a> {
        self.client.list(format!("forms/{form_id}/submissions"))
    }
}

/// The petitions API; from [`ActionNetworkClient::petitions`].
#[derive(Debug, Clone, Copy)]
pub struct Petitions<'a> {
    pub(crate) client: &'a ActionNetworkClient,
}

impl<'a> Petitions<'a> {
    /// Lists petitions.
    pub fn list(self) -> ListRequest<'a> {
        self.client.list("petitions")
    }

    /// One petition.
    ///
    /// # Errors
    /// [`Error::NotFound`] when there is no such petition.
    pub async fn get(self, id: &str) -> Result<ActionPage, Error> {
        self.client.get(&format!("petitions/{id}")).await
    }

    /// A petition's signatures (filterable by `modified_date`).
    pub fn signatures(self, petition_id: &str) -> ListRequest<'a> {
        self.client
            .list(format!("petitions/{petition_id}/signatures"))
    }
}

/// The lists API; from [`ActionNetworkClient::lists`].
#[derive(Debug, Clone, Copy)]
pub struct Lists<'a> {
    pub(crate) client: &'a ActionNetworkClient,
}

impl<'a> Lists<'a> {
    /// Lists lists.
    pub fn list(self) -> ListRequest<'a> {
        self.client.list("lists")
    }

    /// A list's items (links to people).
    pub fn items(self, list_id: &str) -> ListRequest<'a> {
        self.client.list(format!("lists/{list_id}/items"))
    }
}

/// The messages (email) API; from [`ActionNetworkClient::messages`].
#[derive(Debug, Clone, Copy)]
pub struct Messages<'a> {
    pub(crate) client: &'a ActionNetworkClient,
}

impl<'a> Messages<'a> {
    /// Lists messages, each with its `statistics`.
    pub fn list(self) -> ListRequest<'a> {
        self.client.list("messages")
    }

    /// One message.
    ///
    /// # Errors
    /// [`Error::NotFound`] when there is no such message.
    pub async fn get(self, id: &str) -> Result<ActionPage, Error> {
        self.client.get(&format!("messages/{id}")).await
    }
}

/// Metadata; from [`ActionNetworkClient::metadata`].
#[derive(Debug, Clone, Copy)]
pub struct Metadata<'a> {
    pub(crate) client: &'a ActionNetworkClient,
}

impl Metadata<'_> {
    /// The group's custom fields (`GET /metadata/custom_fields`), as sent.
    ///
    /// # Errors
    /// Any HTTP error.
    pub async fn custom_fields(self) -> Result<Value, Error> {
        self.client.get("metadata/custom_fields").await
    }
}
