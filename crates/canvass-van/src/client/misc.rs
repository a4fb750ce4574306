//! Saved lists, folders, contributions and notes.

use canvass_core::Error;

use super::VanClient;
use super::codes::{get_list, get_one};
use super::list::{ListRequest, PageLimits};
use crate::models::{Contribution, Folder, Note, SavedList};

/// The saved lists handler: `van.saved_lists()`.
#[derive(Debug, Clone, Copy)]
pub struct SavedLists<'a> {
    client: &'a VanClient,
}

impl<'a> SavedLists<'a> {
    pub(crate) fn new(client: &'a VanClient) -> Self {
        SavedLists { client }
    }

    /// `GET /savedLists` (metadata; members come out through an export job).
    pub fn list(self) -> ListRequest<SavedList> {
        ListRequest::new(
            self.client,
            "savedLists",
            PageLimits::STANDARD,
            "saved lists",
        )
    }

    /// `GET /savedLists/{id}`.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown list.
    pub async fn get(self, id: u64) -> Result<SavedList, Error> {
        get_one(self.client, &format!("savedLists/{id}"), "saved list").await
    }
}

impl ListRequest<SavedList> {
    /// Only lists in this folder.
    pub fn folder_id(self, folder_id: u64) -> Self {
        self.param("folderId", folder_id)
    }

    /// Only lists with at most this many people.
    pub fn max_people_count(self, n: u64) -> Self {
        self.param("maxPeopleCount", n)
    }
}

/// The folders handler: `van.folders()`.
#[derive(Debug, Clone, Copy)]
pub struct Folders<'a> {
    client: &'a VanClient,
}

impl<'a> Folders<'a> {
    pub(crate) fn new(client: &'a VanClient) -> Self {
        Folders { client }
    }

    /// `GET /folders`.
    pub fn list(self) -> ListRequest<Folder> {
        ListRequest::new(self.client, "folders", PageLimits::STANDARD, "folders")
    }

    /// `GET /folders/{id}`.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown folder.
    pub async fn get(self, id: u64) -> Result<Folder, Error> {
        get_one(self.client, &format!("folders/{id}"), "folder").await
    }
}

/// The contributions handler: `van.contributions()`.
#[derive(Debug, Clone, Copy)]
pub struct Contributions<'a> {
    client: &'a VanClient,
}

impl<'a> Contributions<'a> {
    pub(crate) fn new(client: &'a VanClient) -> Self {
        Contributions { client }
    }

    /// `POST /contributions`: returns the new contribution's id. Not
    /// retried after a transient failure (a repeat would record it twice).
    ///
    /// # Errors
    /// As VAN answers.
    pub async fn create(self, contribution: &Contribution) -> Result<u64, Error> {
        let resp = self
            .client
            .http
            .post("contributions")
            .json(contribution)
            .send()
            .await
            .map_err(|e| self.client.explain(e))?;
        resp.json("created contribution id")
    }

    /// `GET /contributions/{id}`.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown id.
    pub async fn get(self, id: u64) -> Result<Contribution, Error> {
        get_one(self.client, &format!("contributions/{id}"), "contribution").await
    }

    /// `GET /contributions/{altIdType}:{altId}`.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown id.
    pub async fn get_by_alternate_id(self, id_type: &str, id: &str) -> Result<Contribution, Error> {
        get_one(
            self.client,
            &format!("contributions/{id_type}:{id}"),
            "contribution",
        )
        .await
    }
}

/// Notes on one person: `van.notes(van_id)`.
#[derive(Debug, Clone, Copy)]
pub struct Notes<'a> {
    client: &'a VanClient,
    van_id: u64,
}

impl<'a> Notes<'a> {
    pub(crate) fn new(client: &'a VanClient, van_id: u64) -> Self {
        Notes { client, van_id }
    }

    /// `GET /people/{vanId}/notes`.
    ///
    /// # Errors
    /// As VAN answers.
    pub async fn list(self) -> Result<Vec<Note>, Error> {
        get_list(
            self.client,
            &format!("people/{}/notes", self.van_id),
            &[],
            "notes",
        )
        .await
    }

    /// `POST /people/{vanId}/notes`.
    ///
    /// # Errors
    /// As VAN answers.
    pub async fn create(self, text: &str) -> Result<(), Error> {
        let note = Note {
            text: text.to_string(),
            ..Note::default()
        };
        self.client
            .http
            .post(format!("people/{}/notes", self.van_id))
            .json(&note)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| self.client.explain(e))
    }
}
