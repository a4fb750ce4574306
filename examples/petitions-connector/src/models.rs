//! The petitions API's wire types.

use serde::{Deserialize, Serialize};

/// A signer as the petitions API returns it.
///
/// Every field the API may leave out is an `Option`; fields canvass does not
/// know are kept in `extra` so nothing is lost.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Signer {
    /// The API's id, e.g. `"s_000042"`.
    pub id: String,
    /// First name as typed.
    pub first_name: Option<String>,
    /// Last name as typed.
    pub last_name: Option<String>,
    /// Email as typed.
    pub email: Option<String>,
    /// Phone as typed.
    pub phone: Option<String>,
    /// ZIP as typed.
    pub zip: Option<String>,
    /// The petition signed.
    pub petition: Option<PetitionRef>,
    /// When they signed (RFC 3339).
    pub signed_at: Option<String>,
    /// When the record last changed (RFC 3339); the API sorts and filters on it.
    pub updated_at: String,
    /// Anything else the API sent.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// A petition, as embedded in a signer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PetitionRef {
    /// The petition's id.
    pub id: String,
    /// Its title.
    pub title: Option<String>,
}

/// One page of `GET /signers`. Items stay raw JSON so one bad signer cannot
/// spoil the page: each is decoded on its own.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct SignersPage {
    /// The signers, undecoded.
    pub signers: Vec<serde_json::Value>,
    /// The token of the next page, absent on the last.
    pub next_page_token: Option<String>,
}

/// The body of `POST /signers` (an upsert keyed by email).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignerInput {
    /// First name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    /// Last name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    /// Email: the upsert key.
    pub email: String,
    /// Phone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// ZIP.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zip: Option<String>,
}

/// The answer to an upsert.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct UpsertResult {
    /// The signer's id.
    pub id: String,
    /// Whether a new signer was created (201) or an existing one updated (200).
    #[serde(default)]
    pub created: bool,
}

/// The API's error body: `{"message": "..."}`.
#[derive(Debug, Clone, Deserialize)]
pub struct ApiError {
    /// What went wrong.
    pub message: String,
    /// A machine-readable code, when given.
    pub code: Option<String>,
    /// The fields at fault, when given.
    #[serde(default)]
    pub fields: Vec<String>,
}
