//! Hustle v3 request and response types.
//!
//! Field names follow Hustle's v3 OpenAPI (`api.hustle.com/v3/docs`). Decoding
//! is tolerant: fields the schema marks required may be missing or `null`
//! without failing the record, and fields canvass does not know are kept in
//! `extra`.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

/// Decodes `null` (or a missing field, with `#[serde(default)]`) as the
/// type's default, so `"tagIds": null` is an empty list, not a decode error.
pub(crate) fn null_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// One page of a Hustle list: `{"items": [...], "cursor": "...", "hasMore": true}`.
///
/// Items stay raw JSON so one malformed record cannot fail the page; decode
/// them one by one. The v1 envelope (`"pagination": {"cursor",
/// "hasNextPage", "total"}`, as in Parsons' recorded Hustle responses) is
/// read too: see [`ListEnvelope::next_cursor`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListEnvelope {
    /// The page's items.
    #[serde(default, deserialize_with = "null_default")]
    pub items: Vec<Value>,
    /// Where the next page starts; `null` when there is none.
    #[serde(default)]
    pub cursor: Option<String>,
    /// Whether more items follow this page.
    #[serde(default, deserialize_with = "null_default")]
    pub has_more: bool,
    /// The v1 envelope's paging, when a response carries it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pagination: Option<Pagination>,
}

impl ListEnvelope {
    /// The cursor of the next page, `None` after the last: v3's
    /// `hasMore`/`cursor`, or else v1's `pagination.hasNextPage`/`cursor`.
    ///
    /// ```
    /// use canvass_hustle::models::ListEnvelope;
    /// let v3: ListEnvelope = serde_json::from_str(r#"{"items":[],"cursor":"c2","hasMore":true}"#).unwrap();
    /// assert_eq!(v3.next_cursor().as_deref(), Some("c2"));
    /// let v1: ListEnvelope = serde_json::from_str(
    ///     r#"{"items":[],"pagination":{"cursor":"WzEsMTAwMF","hasNextPage":true,"total":2}}"#,
    /// ).unwrap();
    /// assert_eq!(v1.next_cursor().as_deref(), Some("WzEsMTAwMF"));
    /// ```
    pub fn next_cursor(&self) -> Option<String> {
        if self.has_more {
            return self.cursor.clone();
        }
        self.pagination
            .as_ref()
            .filter(|p| p.has_next_page)
            .and_then(|p| p.cursor.clone())
    }
}

/// The v1 list envelope's paging block.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Pagination {
    /// Where the next page starts.
    #[serde(default)]
    pub cursor: Option<String>,
    /// Whether more items follow this page.
    #[serde(default, deserialize_with = "null_default")]
    pub has_next_page: bool,
    /// Items in the whole list, when given.
    #[serde(default)]
    pub total: Option<u64>,
}

/// Hustle's error body: `{"code": 422, "message": "…", "hustleErrorCode": "…"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorBody {
    /// Usually the HTTP status.
    #[serde(default)]
    pub code: Option<Value>,
    /// What went wrong.
    #[serde(default)]
    pub message: Option<String>,
    /// Hustle's own code, mostly on 422s; quote it to Hustle support.
    #[serde(default)]
    pub hustle_error_code: Option<String>,
}

/// The answer to `POST /oauth/token`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TokenGrant {
    /// The bearer token (a JWT).
    pub access_token: String,
    /// Scopes granted, space separated.
    #[serde(default)]
    pub scope: Option<String>,
    /// Lifetime in seconds (7200 at Hustle).
    #[serde(default)]
    pub expires_in: Option<u64>,
    /// `"Bearer"`.
    #[serde(default)]
    pub token_type: Option<String>,
}

/// A lead: someone messages are sent to. Unique per organization and phone number.
///
/// ```
/// use canvass_hustle::models::Lead;
/// let lead: Lead = serde_json::from_value(serde_json::json!({
///     "id": "wqy78hlz2", "type": "lead", "phoneNumber": "+14435705355",
///     "organizationId": "LePEoKzD3Z", "activeGroupIds": ["cMCH0hxwGt"],
///     "inactiveGroupIds": [], "customFields": {"van_id": "123"},
///     "firstName": "Elizabeth", "tagIds": [], "globalOptedOut": false,
///     "createdAt": "2019-09-17T21:25:51.442Z", "shoeSize": 9
/// })).unwrap();
/// assert_eq!(lead.phone_number.as_deref(), Some("+14435705355"));
/// assert_eq!(lead.extra["shoeSize"], 9);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Lead {
    /// Hustle's id.
    pub id: String,
    /// Always `"lead"`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// E.164 (or a 5–6 digit short code).
    #[serde(default)]
    pub phone_number: Option<String>,
    /// The organization it belongs to.
    #[serde(default)]
    pub organization_id: Option<String>,
    /// Groups where the lead is active.
    #[serde(default, deserialize_with = "null_default")]
    pub active_group_ids: Vec<String>,
    /// Groups where the lead was made inactive.
    #[serde(default, deserialize_with = "null_default")]
    pub inactive_group_ids: Vec<String>,
    /// Custom field values by label.
    #[serde(default, deserialize_with = "null_default")]
    pub custom_fields: BTreeMap<String, Value>,
    /// First name.
    #[serde(default)]
    pub first_name: Option<String>,
    /// Last name.
    #[serde(default)]
    pub last_name: Option<String>,
    /// Email.
    #[serde(default)]
    pub email: Option<String>,
    /// ZIP code.
    #[serde(default)]
    pub postal_code: Option<String>,
    /// Notes.
    #[serde(default)]
    pub notes: Option<String>,
    /// Follow-up comments.
    #[serde(default)]
    pub follow_up: Option<String>,
    /// `mobile`, `landline`, `voip` or `invalid`, when Hustle has looked it up.
    #[serde(default)]
    pub phone_number_type: Option<String>,
    /// Tags applied.
    #[serde(default, deserialize_with = "null_default")]
    pub tag_ids: Vec<String>,
    /// Opted out of all messages.
    #[serde(default, deserialize_with = "null_default")]
    pub global_opted_out: bool,
    /// ISO-8601 creation time.
    #[serde(default)]
    pub created_at: Option<String>,
    /// Fields canvass does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The body of `POST /leads`: an upsert on (organization, phone number).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LeadUpsert {
    /// E.164 phone number (required).
    pub phone_number: String,
    /// Organization (required).
    pub organization_id: String,
    /// Groups to make the lead active in.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub active_group_ids: Vec<String>,
    /// Groups to make the lead inactive in.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inactive_group_ids: Vec<String>,
    /// Custom field values by label.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub custom_fields: BTreeMap<String, String>,
    /// First name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    /// Last name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    /// Email.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// ZIP code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    /// Notes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    /// Follow-up comments.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub follow_up: Option<String>,
    /// Tags to apply.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tag_ids: Vec<String>,
}

/// One `PATCH /leads` operation.
///
/// ```
/// use canvass_hustle::models::LeadOperation;
/// let op = LeadOperation::ApplyTag { tag_id: "t1".into() };
/// assert_eq!(serde_json::to_value(&op).unwrap(), serde_json::json!({"type": "applyTag", "tagId": "t1"}));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "type",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum LeadOperation {
    /// Applies a tag.
    ApplyTag {
        /// The tag.
        tag_id: String,
    },
    /// Removes a tag.
    RemoveTag {
        /// The tag.
        tag_id: String,
    },
    /// Sets a custom field (by its label) to a value.
    SetCustomField {
        /// The custom field's label.
        custom_field_name: String,
        /// The value.
        value: String,
    },
    /// Opts the lead out of all messages, optionally tagging the reason
    /// with an opt-out tag.
    OptOut {
        /// An opt-out tag (`agentVisibility: OPT_OUT`) naming the reason.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        tag_id: Option<String>,
    },
    /// Opts the lead back in.
    OptIn,
    /// Makes the lead active in a group (adding it if needed).
    MakeActiveInGroup {
        /// The group.
        group_id: String,
    },
    /// Makes the lead inactive in a group.
    MakeInactiveInGroup {
        /// The group.
        group_id: String,
    },
}

/// A text message.
///
/// Hustle v3 documents `GET /messages/{id}` (`id, threadId, status, type,
/// createdAt, errorCode`). The list endpoint `GET /messages` and the fields
/// `leadId`, `groupId`, `agentId`, `direction` and `body` are **UNVERIFIED**:
/// they follow the v3 list conventions, every one is optional here, and
/// unknown fields are kept in `extra`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Message {
    /// Hustle's id.
    pub id: String,
    /// The conversation thread.
    #[serde(default)]
    pub thread_id: Option<String>,
    /// The lead on the other end.
    #[serde(default)]
    pub lead_id: Option<String>,
    /// The group (campaign) it was sent in.
    #[serde(default)]
    pub group_id: Option<String>,
    /// The agent who sent it (outbound).
    #[serde(default)]
    pub agent_id: Option<String>,
    /// `outbound` or `inbound`.
    #[serde(default)]
    pub direction: Option<String>,
    /// The text.
    #[serde(default)]
    pub body: Option<String>,
    /// `pending_lookup`, `queued`, `sent`, `delivered`, `failed`,
    /// `undelivered`, … (open set).
    #[serde(default)]
    pub status: Option<String>,
    /// `SMS` or `MMS`.
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    /// ISO-8601 creation time.
    #[serde(default)]
    pub created_at: Option<String>,
    /// Why delivery failed (`not_textable`, a carrier code).
    #[serde(default)]
    pub error_code: Option<String>,
    /// Fields canvass does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Who sees a tag: `LEAD_PROFILES`, `OPT_OUT` (an opt-out reason) or `NEVER`.
pub const OPT_OUT_VISIBILITY: &str = "OPT_OUT";

/// A tag. Tags with `agentVisibility: "OPT_OUT"` name opt-out reasons.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Tag {
    /// Hustle's id.
    pub id: String,
    /// Name.
    #[serde(default)]
    pub name: Option<String>,
    /// The organization.
    #[serde(default)]
    pub organization_id: Option<String>,
    /// `LEAD_PROFILES`, `OPT_OUT` or `NEVER`.
    #[serde(default)]
    pub agent_visibility: Option<String>,
    /// ISO-8601 creation time.
    #[serde(default)]
    pub created_at: Option<String>,
    /// Fields canvass does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Tag {
    /// Whether this tag names an opt-out reason.
    pub fn is_opt_out(&self) -> bool {
        self.agent_visibility.as_deref() == Some(OPT_OUT_VISIBILITY)
    }
}

/// An organization, group, agent or custom field: the directory objects
/// canvass lists but does not map to the canonical model.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Resource {
    /// Hustle's id.
    pub id: String,
    /// Name (or label).
    #[serde(default)]
    pub name: Option<String>,
    /// The organization, for objects that belong to one.
    #[serde(default)]
    pub organization_id: Option<String>,
    /// Everything else (`type`, `description`, `phoneNumber`, …).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The body of a create (`POST /groups`, `/tags`, `/custom_fields`, `/agents`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewResource {
    /// Name (or label).
    pub name: String,
    /// The organization.
    pub organization_id: String,
    /// Other fields the endpoint takes (`agentVisibility`, `description`, …).
    #[serde(flatten)]
    pub fields: Map<String, Value>,
}
