//! An organization's people (volunteers).

use super::{ListRequest, MobilizeClient};
use crate::models::Person;

/// `GET /organizations/:org/people` (needs a key).
#[derive(Debug, Clone, Copy)]
pub struct PeopleHandler<'a> {
    pub(crate) client: &'a MobilizeClient,
    pub(crate) org: u64,
}

impl<'a> PeopleHandler<'a> {
    /// The people affiliated with the organization; filter with
    /// [`ListRequest::updated_since`].
    ///
    /// ```no_run
    /// # async fn run(client: canvass_mobilize::client::MobilizeClient) -> Result<(), canvass_core::Error> {
    /// let changed = client.people(42).list().updated_since(1_700_000_000).all().await?;
    /// # Ok(()) }
    /// ```
    pub fn list(&self) -> ListRequest<'a, Person> {
        ListRequest::new(
            self.client,
            format!("organizations/{}/people", self.org),
            "person",
        )
    }
}
