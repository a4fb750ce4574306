//! Small lookups the GraphQL writes need: Spoke's mutations take an
//! assignment id, a tag's name or an answer's text that the canonical write
//! does not carry, so the connector reads them first (read-only).

use tokio_postgres::Row;

use canvass_core::Error;

use super::SpokeDb;

/// What a write needs to know about a campaign contact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactForWrite {
    /// The contact's id.
    pub id: i64,
    /// Its campaign.
    pub campaign_id: i64,
    /// Its campaign's organization.
    pub organization_id: Option<i64>,
    /// Its assignment, when assigned to a texter.
    pub assignment_id: Option<i64>,
    /// Its cell.
    pub cell: String,
}

/// A tag on a contact, with what `TagInput` needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactTag {
    /// The tag's id.
    pub tag_id: i64,
    /// The tag's name.
    pub name: String,
    /// The tag's group.
    pub group: Option<String>,
    /// The value on the contact.
    pub value: Option<String>,
}

impl SpokeDb {
    async fn lookup_rows(
        &self,
        what: &str,
        sql: &str,
        params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
    ) -> Result<Vec<Row>, Error> {
        let guard = self.lookup().await?;
        let client = guard
            .as_ref()
            .ok_or_else(|| Error::transport(super::SYSTEM, "no database session"))?;
        client
            .query(sql, params)
            .await
            .map_err(|e| self.error(what, &e))
    }

    /// Whether the database has `table` (in the configured schema, or on
    /// the search path).
    ///
    /// # Errors
    /// Database errors, mapped by [`SpokeDb::error`].
    pub async fn has_table(&self, table: super::Table) -> Result<bool, Error> {
        let rows = self
            .lookup_rows(
                "look up a table",
                "SELECT to_regclass($1) IS NOT NULL",
                &[&table.name()],
            )
            .await?;
        rows.first()
            .map(|r| r.try_get(0))
            .transpose()
            .map(|found| found.unwrap_or(false))
            .map_err(|e| self.error("look up a table", &e))
    }

    /// The contact with this id, if any.
    ///
    /// # Errors
    /// Database errors, mapped by [`SpokeDb::error`].
    pub async fn contact_for_write(&self, id: i64) -> Result<Option<ContactForWrite>, Error> {
        let rows = self
            .lookup_rows(
                "look up a campaign contact",
                "SELECT cc.id::int8, cc.campaign_id::int8, c.organization_id::int8, \
                 cc.assignment_id::int8, cc.cell FROM campaign_contact cc \
                 LEFT JOIN campaign c ON c.id = cc.campaign_id WHERE cc.id = $1::int8",
                &[&id],
            )
            .await?;
        rows.first()
            .map(|r| {
                Ok(ContactForWrite {
                    id: r.try_get(0)?,
                    campaign_id: r.try_get(1)?,
                    organization_id: r.try_get(2)?,
                    assignment_id: r.try_get(3)?,
                    cell: r.try_get(4)?,
                })
            })
            .transpose()
            .map_err(|e: tokio_postgres::Error| self.error("look up a campaign contact", &e))
    }

    /// The newest contact whose cell is one of `cells` (in `organization`
    /// when given).
    ///
    /// # Errors
    /// Database errors, mapped by [`SpokeDb::error`].
    pub async fn contact_by_cell(
        &self,
        cells: &[String],
        organization: Option<i64>,
    ) -> Result<Option<i64>, Error> {
        let rows = self
            .lookup_rows(
                "find a campaign contact by cell",
                "SELECT cc.id::int8 FROM campaign_contact cc JOIN campaign c ON c.id = cc.campaign_id \
                 WHERE cc.cell = ANY($1) AND ($2::int8 IS NULL OR c.organization_id = $2) \
                 ORDER BY cc.id DESC LIMIT 1",
                &[&cells, &organization],
            )
            .await?;
        rows.first()
            .map(|r| r.try_get(0))
            .transpose()
            .map_err(|e| self.error("find a campaign contact by cell", &e))
    }

    /// The tags on a contact, in tag id order.
    ///
    /// # Errors
    /// Database errors, mapped by [`SpokeDb::error`].
    pub async fn contact_tags(&self, contact_id: i64) -> Result<Vec<ContactTag>, Error> {
        let rows = self
            .lookup_rows(
                "read a contact's tags",
                "SELECT t.id::int8, t.name, t.\"group\", tc.value FROM tag_campaign_contact tc \
                 JOIN tag t ON t.id = tc.tag_id WHERE tc.campaign_contact_id = $1::int8 \
                 ORDER BY t.id",
                &[&contact_id],
            )
            .await?;
        rows.iter()
            .map(|r| {
                Ok(ContactTag {
                    tag_id: r.try_get(0)?,
                    name: r.try_get(1)?,
                    group: r.try_get(2)?,
                    value: r.try_get(3)?,
                })
            })
            .collect::<Result<_, tokio_postgres::Error>>()
            .map_err(|e| self.error("read a contact's tags", &e))
    }

    /// A tag's `(name, group, organization_id, is_deleted)`.
    ///
    /// # Errors
    /// Database errors, mapped by [`SpokeDb::error`].
    pub async fn tag(&self, id: i64) -> Result<Option<(String, Option<String>, i64, bool)>, Error> {
        let rows = self
            .lookup_rows(
                "look up a tag",
                "SELECT name, \"group\", organization_id::int8, COALESCE(is_deleted, false) \
                 FROM tag WHERE id = $1::int8",
                &[&id],
            )
            .await?;
        rows.first()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?)))
            .transpose()
            .map_err(|e: tokio_postgres::Error| self.error("look up a tag", &e))
    }

    /// An answer option's `(parent question step, answer text)`.
    ///
    /// # Errors
    /// Database errors, mapped by [`SpokeDb::error`].
    pub async fn answer_option(
        &self,
        step_id: i64,
    ) -> Result<Option<(Option<i64>, String)>, Error> {
        let rows = self
            .lookup_rows(
                "look up an answer option",
                "SELECT parent_interaction_id::int8, answer_option FROM interaction_step \
                 WHERE id = $1::int8",
                &[&step_id],
            )
            .await?;
        rows.first()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .transpose()
            .map_err(|e: tokio_postgres::Error| self.error("look up an answer option", &e))
    }
}
