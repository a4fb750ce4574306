//! Activist codes, survey questions, canvass-response lookups, codes, and the
//! canvass response (contact history) a write sends.

use serde::{Deserialize, Serialize};

use super::Extra;

/// An activist code (a tag in canvass's model).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActivistCode {
    /// VAN's id.
    #[serde(deserialize_with = "super::lenient::id")]
    pub activist_code_id: u64,
    /// Type (`"Volunteer"`, `"Action"`).
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    /// Name.
    #[serde(default, deserialize_with = "super::lenient::text")]
    pub name: String,
    /// Medium name.
    #[serde(default)]
    pub medium_name: Option<String>,
    /// Short name.
    #[serde(default)]
    pub short_name: Option<String>,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
    /// Script question.
    #[serde(default)]
    pub script_question: Option<String>,
    /// `"Active"`, `"Archived"`, `"Inactive"`.
    #[serde(default)]
    pub status: Option<String>,
    /// Everything else.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A survey question with its answer options.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SurveyQuestion {
    /// VAN's id.
    #[serde(deserialize_with = "super::lenient::id")]
    pub survey_question_id: u64,
    /// Type (`"Candidate"`, `"Issue"`).
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    /// Cycle year.
    #[serde(default)]
    pub cycle: Option<i32>,
    /// Name.
    #[serde(default, deserialize_with = "super::lenient::text")]
    pub name: String,
    /// Medium name.
    #[serde(default)]
    pub medium_name: Option<String>,
    /// Short name.
    #[serde(default)]
    pub short_name: Option<String>,
    /// The question as read to the voter.
    #[serde(default)]
    pub script_question: Option<String>,
    /// `"Active"`, `"Archived"`.
    #[serde(default)]
    pub status: Option<String>,
    /// The answer options.
    #[serde(default, deserialize_with = "super::lenient::vec")]
    pub responses: Vec<SurveyResponseOption>,
    /// Everything else.
    #[serde(flatten)]
    pub extra: Extra,
}

/// One answer option of a survey question.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SurveyResponseOption {
    /// VAN's id.
    #[serde(deserialize_with = "super::lenient::id")]
    pub survey_response_id: u64,
    /// Name (`"1 Strong Kerry"`).
    #[serde(default, deserialize_with = "super::lenient::text")]
    pub name: String,
    /// Medium name.
    #[serde(default)]
    pub medium_name: Option<String>,
    /// Short name.
    #[serde(default)]
    pub short_name: Option<String>,
    /// Everything else.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A result code: the outcome of a non-contact (`Not Home`, `Wrong Number`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResultCode {
    /// VAN's id.
    pub result_code_id: u64,
    /// Name.
    pub name: String,
    /// Short name.
    #[serde(default)]
    pub short_name: Option<String>,
    /// Medium name.
    #[serde(default)]
    pub medium_name: Option<String>,
    /// Everything else.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A contact type (`{"contactTypeId":37,"channelTypeName":"Text","name":"SMS Text"}`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContactType {
    /// VAN's id.
    pub contact_type_id: u64,
    /// Name.
    pub name: String,
    /// Channel (`"Phone"`, `"Text"`, `"Walk"`).
    #[serde(default)]
    pub channel_type_name: Option<String>,
    /// Everything else.
    #[serde(flatten)]
    pub extra: Extra,
}

/// An input type (`{"inputTypeId":11,"name":"API"}`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InputType {
    /// VAN's id.
    pub input_type_id: u64,
    /// Name.
    pub name: String,
    /// Everything else.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A code (tag or source code) from `GET /codes`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Code {
    /// VAN's id.
    pub code_id: u64,
    /// Name.
    pub name: String,
    /// `"Tag"` or `"SourceCode"`.
    #[serde(default)]
    pub code_type: Option<String>,
    /// Parent code.
    #[serde(default)]
    pub parent_code_id: Option<u64>,
    /// Everything else.
    #[serde(flatten)]
    pub extra: Extra,
}

/// The body of `POST /people/{vanId}/canvassResponses`: either a result
/// code (a non-contact) or responses, never both.
///
/// ```
/// use canvass_van::models::{CanvassResponse, CanvassContext, ResponseItem};
/// let r = CanvassResponse::responses(CanvassContext::new(37), vec![ResponseItem::apply_activist_code(4369730)]);
/// assert!(r.validate().is_ok());
/// let mut both = r.clone();
/// both.result_code_id = Some(205);
/// assert!(both.validate().is_err());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CanvassResponse {
    /// How and when the contact happened.
    pub canvass_context: CanvassContext,
    /// A result code (Not Home, Wrong Number …), for a non-contact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_code_id: Option<u64>,
    /// Activist codes, survey responses and volunteer activities.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub responses: Option<Vec<ResponseItem>>,
}

impl CanvassResponse {
    /// A non-contact with `result_code_id`.
    pub fn result_code(context: CanvassContext, result_code_id: u64) -> CanvassResponse {
        CanvassResponse {
            canvass_context: context,
            result_code_id: Some(result_code_id),
            responses: None,
        }
    }

    /// A contact with these responses.
    pub fn responses(context: CanvassContext, responses: Vec<ResponseItem>) -> CanvassResponse {
        CanvassResponse {
            canvass_context: context,
            result_code_id: None,
            responses: Some(responses),
        }
    }

    /// Checks VAN's rule: a result code or responses, never both, never neither.
    ///
    /// # Errors
    /// [`canvass_core::Error::InvalidInput`] naming `resultCodeId` / `responses`.
    pub fn validate(&self) -> Result<(), canvass_core::Error> {
        let has_responses = self.responses.as_ref().is_some_and(|r| !r.is_empty());
        match (self.result_code_id.is_some(), has_responses) {
            (true, true) => Err(canvass_core::Error::invalid_input(
                "canvassResponse.resultCodeId",
                "VAN takes either a result code (a non-contact) or responses, never both",
            )),
            (false, false) => Err(canvass_core::Error::invalid_input(
                "canvassResponse.responses",
                "give a result code or at least one response",
            )),
            _ => Ok(()),
        }
    }
}

/// The context of a canvass response.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CanvassContext {
    /// The contact type (`37` = SMS Text in VAN's samples).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_type_id: Option<u64>,
    /// The input type; VAN defaults it to 11 (API).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_type_id: Option<u64>,
    /// When, `YYYY-MM-DD` or a full timestamp.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_canvassed: Option<String>,
    /// The phone used, with its SMS opt-in status (`O` opts the phone out).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<ContextPhone>,
    /// Whether applying activist codes should leave no contact history.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub omit_activist_code_contact_history: Option<bool>,
    /// Whether VAN should skip matching the phone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skip_matching: Option<bool>,
    /// A campaign.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub campaign_id: Option<u64>,
}

impl CanvassContext {
    /// A context with a contact type, input type API (11), dated today.
    pub fn new(contact_type_id: u64) -> CanvassContext {
        CanvassContext {
            contact_type_id: Some(contact_type_id),
            input_type_id: Some(11),
            date_canvassed: Some(chrono::Utc::now().format("%Y-%m-%d").to_string()),
            ..CanvassContext::default()
        }
    }
}

/// The phone of a canvass context.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContextPhone {
    /// Dialing prefix, `"1"` for the US.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dialing_prefix: Option<String>,
    /// Ten digits for a US number.
    pub phone_number: String,
    /// `I` (opt in), `O` (opt out) or `U` (unknown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sms_opt_in_status: Option<String>,
}

/// Whether a response applies or removes a code.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum ResponseAction {
    /// Apply.
    #[default]
    Apply,
    /// Remove.
    Remove,
}

/// One response of a canvass response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum ResponseItem {
    /// Apply or remove an activist code.
    #[serde(rename_all = "camelCase")]
    ActivistCode {
        /// The code.
        activist_code_id: u64,
        /// Apply or remove.
        action: ResponseAction,
    },
    /// Answer a survey question.
    #[serde(rename_all = "camelCase")]
    SurveyResponse {
        /// The question.
        survey_question_id: u64,
        /// The chosen answer.
        survey_response_id: u64,
    },
    /// Apply or remove a volunteer activity.
    #[serde(rename_all = "camelCase")]
    VolunteerActivity {
        /// The activity.
        volunteer_activity_id: u64,
        /// Apply or remove.
        action: ResponseAction,
    },
}

impl ResponseItem {
    /// Applies an activist code.
    pub fn apply_activist_code(activist_code_id: u64) -> ResponseItem {
        ResponseItem::ActivistCode {
            activist_code_id,
            action: ResponseAction::Apply,
        }
    }

    /// Removes an activist code.
    pub fn remove_activist_code(activist_code_id: u64) -> ResponseItem {
        ResponseItem::ActivistCode {
            activist_code_id,
            action: ResponseAction::Remove,
        }
    }

    /// Answers a survey question.
    pub fn survey_response(survey_question_id: u64, survey_response_id: u64) -> ResponseItem {
        ResponseItem::SurveyResponse {
            survey_question_id,
            survey_response_id,
        }
    }
}
