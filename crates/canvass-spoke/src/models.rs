//! Spoke's rows and GraphQL inputs, as typed Rust.
//!
//! Rows are read from the database as JSON (every column, `t.*`), and each
//! row is decoded on its own ([`decode_row`]): one bad row is a skipped
//! record, never a failed page, and every column the model has no field for
//! (including those a fork adds) lands in `extra` instead of being lost.
//! Joined keys the queries add (a message's `campaign_id`, an opt-out's
//! `campaign_contact_id`) are documented on each field.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

canvass_core::open_enum! {
    /// `campaign_contact.message_status`: where a contact is in the texting
    /// flow. Forks add values; unknown ones are kept in `Other`.
    pub enum MessageStatus {
        /// Not texted yet.
        NeedsMessage => "needsMessage",
        /// The contact replied and awaits an answer.
        NeedsResponse => "needsResponse",
        /// In conversation.
        Convo => "convo",
        /// Texted, no reply yet.
        Messaged => "messaged",
        /// Closed by the texter.
        Closed => "closed",
        /// Being updated by a job.
        Updating => "UPDATING",
    }
}

canvass_core::open_enum! {
    /// `message.send_status`. Forks add values; unknown ones are kept in `Other`.
    pub enum SendStatus {
        /// Waiting to be sent.
        Queued => "QUEUED",
        /// Being sent.
        Sending => "SENDING",
        /// Handed to the carrier.
        Sent => "SENT",
        /// Delivered (or received, for an inbound message).
        Delivered => "DELIVERED",
        /// Failed; `error_code` says why.
        Error => "ERROR",
        /// Held back.
        Paused => "PAUSED",
        /// Never tried.
        NotAttempted => "NOT_ATTEMPTED",
    }
}

/// A row of `organization`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Organization {
    /// `id`.
    pub id: i64,
    /// `name`.
    #[serde(default)]
    pub name: Option<String>,
    /// `uuid`.
    #[serde(default)]
    pub uuid: Option<String>,
    /// `created_at`.
    #[serde(default)]
    pub created_at: Option<DateTime<Utc>>,
    /// Every other column.
    #[serde(skip)]
    pub extra: Map<String, Value>,
}

/// A row of `campaign`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Campaign {
    /// `id`.
    pub id: i64,
    /// `organization_id`.
    #[serde(default)]
    pub organization_id: Option<i64>,
    /// `title`.
    #[serde(default)]
    pub title: Option<String>,
    /// `description`.
    #[serde(default)]
    pub description: Option<String>,
    /// `is_started`.
    #[serde(default)]
    pub is_started: Option<bool>,
    /// `is_archived`.
    #[serde(default)]
    pub is_archived: Option<bool>,
    /// `created_at`.
    #[serde(default)]
    pub created_at: Option<DateTime<Utc>>,
    /// Every other column.
    #[serde(skip)]
    pub extra: Map<String, Value>,
}

/// A row of `campaign_contact`, plus `organization_id` (joined from its campaign).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CampaignContact {
    /// `id`: the contact's Spoke id, and its canvass person id.
    pub id: i64,
    /// `campaign_id`.
    #[serde(default)]
    pub campaign_id: Option<i64>,
    /// `assignment_id` (the texter's assignment; none before assignment).
    #[serde(default)]
    pub assignment_id: Option<i64>,
    /// `external_id`, often a VAN id (empty when the upload had none).
    #[serde(default)]
    pub external_id: Option<String>,
    /// `first_name`.
    #[serde(default)]
    pub first_name: Option<String>,
    /// `last_name`.
    #[serde(default)]
    pub last_name: Option<String>,
    /// `cell`, as uploaded (usually E.164).
    #[serde(default)]
    pub cell: Option<String>,
    /// `zip`.
    #[serde(default)]
    pub zip: Option<String>,
    /// `custom_fields`: a JSON object stored as text (may not parse).
    #[serde(default)]
    pub custom_fields: Option<String>,
    /// `created_at`.
    #[serde(default)]
    pub created_at: Option<DateTime<Utc>>,
    /// `updated_at`.
    #[serde(default)]
    pub updated_at: Option<DateTime<Utc>>,
    /// `message_status`.
    #[serde(default)]
    pub message_status: Option<MessageStatus>,
    /// `is_opted_out`.
    #[serde(default)]
    pub is_opted_out: Option<bool>,
    /// `error_code` (the carrier's last error for this cell).
    #[serde(default)]
    pub error_code: Option<i64>,
    /// Joined: the campaign's organization.
    #[serde(default)]
    pub organization_id: Option<i64>,
    /// Every other column.
    #[serde(skip)]
    pub extra: Map<String, Value>,
}

/// A row of `message`, plus `campaign_id` (joined from its contact).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    /// `id`.
    pub id: i64,
    /// `campaign_contact_id` (Spoke since 2019-12; older rows may lack it).
    #[serde(default)]
    pub campaign_contact_id: Option<i64>,
    /// `contact_number`: the contact's cell.
    #[serde(default)]
    pub contact_number: Option<String>,
    /// `user_number`: the texter's (or the service's) number.
    #[serde(default)]
    pub user_number: Option<String>,
    /// `user_id`: the texter.
    #[serde(default)]
    pub user_id: Option<i64>,
    /// `is_from_contact`: inbound when true.
    #[serde(default)]
    pub is_from_contact: bool,
    /// `text`.
    #[serde(default)]
    pub text: Option<String>,
    /// `send_status`.
    #[serde(default)]
    pub send_status: Option<SendStatus>,
    /// `created_at`.
    #[serde(default)]
    pub created_at: Option<DateTime<Utc>>,
    /// `error_code`: the carrier's error (Twilio codes such as 30006).
    #[serde(default)]
    pub error_code: Option<i64>,
    /// `assignment_id`.
    #[serde(default)]
    pub assignment_id: Option<i64>,
    /// Joined: the contact's campaign.
    #[serde(default)]
    pub campaign_id: Option<i64>,
    /// Every other column (`service`, `service_id`, `media`, `sent_at`, ...).
    #[serde(skip)]
    pub extra: Map<String, Value>,
}

/// A row of `opt_out`, plus `campaign_contact_id` (joined: the contact with
/// that cell, preferring the opt-out's assignment, then the newest).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OptOut {
    /// `id`.
    pub id: i64,
    /// `cell`.
    #[serde(default)]
    pub cell: Option<String>,
    /// `assignment_id` (nullable since 2020-08).
    #[serde(default)]
    pub assignment_id: Option<i64>,
    /// `organization_id`.
    #[serde(default)]
    pub organization_id: Option<i64>,
    /// `reason_code`: free text, often empty.
    #[serde(default)]
    pub reason_code: Option<String>,
    /// `created_at`.
    #[serde(default)]
    pub created_at: Option<DateTime<Utc>>,
    /// Joined: the contact it belongs to, when one has that cell.
    #[serde(default)]
    pub campaign_contact_id: Option<i64>,
    /// Every other column.
    #[serde(skip)]
    pub extra: Map<String, Value>,
}

/// An answer option of a question: a child `interaction_step`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnswerOption {
    /// The child step's `id`.
    pub id: i64,
    /// Its `answer_option` text (what `question_response.value` holds).
    #[serde(default)]
    pub answer_option: String,
    /// Its `is_deleted`.
    #[serde(default)]
    pub is_deleted: Option<bool>,
}

/// A row of `interaction_step` that asks a question, plus `organization_id`
/// and `answer_options` (joined: its child steps).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InteractionStep {
    /// `id`.
    pub id: i64,
    /// `campaign_id`.
    #[serde(default)]
    pub campaign_id: Option<i64>,
    /// `question`.
    #[serde(default)]
    pub question: Option<String>,
    /// `script`.
    #[serde(default)]
    pub script: Option<String>,
    /// `parent_interaction_id`: the step whose answer leads here.
    #[serde(default)]
    pub parent_interaction_id: Option<i64>,
    /// `answer_option`: the parent's answer that leads here.
    #[serde(default)]
    pub answer_option: Option<String>,
    /// `is_deleted`.
    #[serde(default)]
    pub is_deleted: Option<bool>,
    /// `created_at`.
    #[serde(default)]
    pub created_at: Option<DateTime<Utc>>,
    /// Joined: the campaign's organization.
    #[serde(default)]
    pub organization_id: Option<i64>,
    /// Joined: the child steps, in id order.
    #[serde(default)]
    pub answer_options: Vec<AnswerOption>,
    /// Every other column.
    #[serde(skip)]
    pub extra: Map<String, Value>,
}

/// A row of `question_response`, plus `answer_step_id` (joined: the child
/// step of the question whose `answer_option` equals `value`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuestionResponse {
    /// `id`.
    pub id: i64,
    /// `campaign_contact_id`.
    #[serde(default)]
    pub campaign_contact_id: Option<i64>,
    /// `interaction_step_id`: the question.
    #[serde(default)]
    pub interaction_step_id: Option<i64>,
    /// `value`: the answer's text.
    #[serde(default)]
    pub value: Option<String>,
    /// `created_at`.
    #[serde(default)]
    pub created_at: Option<DateTime<Utc>>,
    /// Joined: the answer option's step, when `value` names one.
    #[serde(default)]
    pub answer_step_id: Option<i64>,
    /// Every other column.
    #[serde(skip)]
    pub extra: Map<String, Value>,
}

/// A row of `tag`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tag {
    /// `id`.
    pub id: i64,
    /// `name`.
    #[serde(default)]
    pub name: Option<String>,
    /// `group`.
    #[serde(default)]
    pub group: Option<String>,
    /// `description`.
    #[serde(default)]
    pub description: Option<String>,
    /// `is_deleted`.
    #[serde(default)]
    pub is_deleted: Option<bool>,
    /// `organization_id`.
    #[serde(default)]
    pub organization_id: Option<i64>,
    /// `updated_at`.
    #[serde(default)]
    pub updated_at: Option<DateTime<Utc>>,
    /// Every other column.
    #[serde(skip)]
    pub extra: Map<String, Value>,
}

/// A row of `tag_campaign_contact`: a tag on a contact.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TagCampaignContact {
    /// `id`.
    pub id: i64,
    /// `tag_id`.
    #[serde(default)]
    pub tag_id: Option<i64>,
    /// `campaign_contact_id`.
    #[serde(default)]
    pub campaign_contact_id: Option<i64>,
    /// `value`.
    #[serde(default)]
    pub value: Option<String>,
    /// `updated_at`.
    #[serde(default)]
    pub updated_at: Option<DateTime<Utc>>,
    /// Every other column.
    #[serde(skip)]
    pub extra: Map<String, Value>,
}

/// GraphQL `OptOutInput`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OptOutInput {
    /// The contact's assignment.
    pub assignment_id: String,
    /// The cell opting out.
    pub cell: String,
    /// Why (free text; Spoke stores it as `reason_code`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// GraphQL `QuestionResponseInput`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QuestionResponseInput {
    /// The contact.
    pub campaign_contact_id: String,
    /// The question's interaction step.
    pub interaction_step_id: String,
    /// The answer option's text.
    pub value: String,
}

/// GraphQL `TagInput`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TagInput {
    /// The tag's id.
    pub id: String,
    /// The tag's name (required by Spoke's schema).
    pub name: String,
    /// The tag's group.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// The value on this contact.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

/// A table row model: its columns by name, and where the others go.
pub trait TableRow: serde::de::DeserializeOwned {
    /// The columns the model has fields for.
    const FIELDS: &'static [&'static str];
    /// The map holding every other column.
    fn extra_mut(&mut self) -> &mut Map<String, Value>;
}

macro_rules! impl_row {
    ($name:ident, [$($field:literal),*]) => {
        impl TableRow for $name {
            const FIELDS: &'static [&'static str] = &[$($field),*];
            fn extra_mut(&mut self) -> &mut Map<String, Value> {
                &mut self.extra
            }
        }
    };
}

impl_row!(Organization, ["id", "name", "uuid", "created_at"]);
impl_row!(
    Campaign,
    [
        "id",
        "organization_id",
        "title",
        "description",
        "is_started",
        "is_archived",
        "created_at"
    ]
);
impl_row!(
    CampaignContact,
    [
        "id",
        "campaign_id",
        "assignment_id",
        "external_id",
        "first_name",
        "last_name",
        "cell",
        "zip",
        "custom_fields",
        "created_at",
        "updated_at",
        "message_status",
        "is_opted_out",
        "error_code",
        "organization_id"
    ]
);
impl_row!(
    Message,
    [
        "id",
        "campaign_contact_id",
        "contact_number",
        "user_number",
        "user_id",
        "is_from_contact",
        "text",
        "send_status",
        "created_at",
        "error_code",
        "assignment_id",
        "campaign_id"
    ]
);
impl_row!(
    OptOut,
    [
        "id",
        "cell",
        "assignment_id",
        "organization_id",
        "reason_code",
        "created_at",
        "campaign_contact_id"
    ]
);
impl_row!(
    InteractionStep,
    [
        "id",
        "campaign_id",
        "question",
        "script",
        "parent_interaction_id",
        "answer_option",
        "is_deleted",
        "created_at",
        "organization_id",
        "answer_options"
    ]
);
impl_row!(
    QuestionResponse,
    [
        "id",
        "campaign_contact_id",
        "interaction_step_id",
        "value",
        "created_at",
        "answer_step_id"
    ]
);
impl_row!(
    Tag,
    [
        "id",
        "name",
        "group",
        "description",
        "is_deleted",
        "organization_id",
        "updated_at"
    ]
);
impl_row!(
    TagCampaignContact,
    ["id", "tag_id", "campaign_contact_id", "value", "updated_at"]
);

/// Decodes one row's JSON into `T`, naming the column that failed; columns
/// `T` has no field for are copied into its `extra`.
///
/// # Errors
/// The failing path and serde's message.
pub fn decode_row<T: TableRow>(json: &Value) -> Result<T, (String, String)> {
    let mut item: T = serde_path_to_error::deserialize(json)
        .map_err(|e| (e.path().to_string(), e.into_inner().to_string()))?;
    if let Value::Object(map) = json {
        let extra = item.extra_mut();
        for (k, v) in map {
            if !T::FIELDS.contains(&k.as_str()) && !v.is_null() {
                extra.insert(k.clone(), v.clone());
            }
        }
    }
    Ok(item)
}
