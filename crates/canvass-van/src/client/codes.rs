//! Activist codes, survey questions, canvass responses and their lookups, codes.

use canvass_core::Error;
use serde::de::DeserializeOwned;

use super::list::{ListRequest, PageLimits};
use super::{VanClient, decode_value};
use crate::models::{
    ActivistCode, CanvassContext, CanvassResponse, Code, ContactType, ContextPhone, InputType,
    ResponseItem, ResultCode, SurveyQuestion,
};

/// GETs an endpoint that answers a bare array. Tolerated too: a page
/// (`{"items": [...]}`) and a single object, read as a list of one (the
/// shape of Parsons' public fixtures for the canvass-response lookups,
/// `test/test_van/test_ngpvan.py`).
pub(crate) async fn get_list<T: DeserializeOwned>(
    client: &VanClient,
    path: &str,
    query: &[(&str, String)],
    entity: &str,
) -> Result<Vec<T>, Error> {
    let mut rb = client.http.get(path);
    for (k, v) in query {
        rb = rb.query_pair(*k, v.as_str());
    }
    let value: serde_json::Value = rb.send_json(entity).await.map_err(|e| client.explain(e))?;
    let items = match value {
        serde_json::Value::Object(mut map) if map.contains_key("items") => {
            map.remove("items").unwrap_or_default()
        }
        serde_json::Value::Object(map) => serde_json::Value::Array(vec![map.into()]),
        other => other,
    };
    decode_value(entity, &items)
}

/// GETs one object.
pub(crate) async fn get_one<T: DeserializeOwned>(
    client: &VanClient,
    path: &str,
    entity: &str,
) -> Result<T, Error> {
    let value: serde_json::Value = client
        .http
        .get(path)
        .send_json(entity)
        .await
        .map_err(|e| client.explain(e))?;
    decode_value(entity, &value)
}

/// The activist codes handler: `van.activist_codes()`.
#[derive(Debug, Clone, Copy)]
pub struct ActivistCodes<'a> {
    client: &'a VanClient,
}

impl<'a> ActivistCodes<'a> {
    pub(crate) fn new(client: &'a VanClient) -> Self {
        ActivistCodes { client }
    }

    /// `GET /activistCodes` (at most 200 a page).
    pub fn list(self) -> ListRequest<ActivistCode> {
        ListRequest::new(
            self.client,
            "activistCodes",
            PageLimits::STANDARD,
            "activist codes",
        )
    }

    /// `GET /activistCodes/{id}`.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown id.
    pub async fn get(self, id: u64) -> Result<ActivistCode, Error> {
        get_one(self.client, &format!("activistCodes/{id}"), "activist code").await
    }
}

impl ListRequest<ActivistCode> {
    /// Only these statuses (`"Active"`, `"Archived"`).
    pub fn statuses(self, statuses: &[&str]) -> Self {
        self.param("statuses", statuses.join(","))
    }

    /// Names starting with `name`.
    pub fn name(self, name: &str) -> Self {
        self.param("name", name)
    }

    /// Only this type.
    pub fn kind(self, kind: &str) -> Self {
        self.param("type", kind)
    }
}

/// The survey questions handler: `van.survey_questions()`.
#[derive(Debug, Clone, Copy)]
pub struct SurveyQuestions<'a> {
    client: &'a VanClient,
}

impl<'a> SurveyQuestions<'a> {
    pub(crate) fn new(client: &'a VanClient) -> Self {
        SurveyQuestions { client }
    }

    /// `GET /surveyQuestions` with their responses.
    pub fn list(self) -> ListRequest<SurveyQuestion> {
        ListRequest::new(
            self.client,
            "surveyQuestions",
            PageLimits::STANDARD,
            "survey questions",
        )
    }

    /// `GET /surveyQuestions/{id}`.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown id.
    pub async fn get(self, id: u64) -> Result<SurveyQuestion, Error> {
        get_one(
            self.client,
            &format!("surveyQuestions/{id}"),
            "survey question",
        )
        .await
    }
}

impl ListRequest<SurveyQuestion> {
    /// Only these statuses.
    pub fn statuses(self, statuses: &[&str]) -> Self {
        self.param("statuses", statuses.join(","))
    }

    /// Names starting with `name`.
    pub fn name(self, name: &str) -> Self {
        self.param("name", name)
    }

    /// Only this cycle.
    pub fn cycle(self, cycle: i32) -> Self {
        self.param("cycle", cycle)
    }
}

/// The canvass responses handler: `van.canvass_responses()`.
#[derive(Debug, Clone, Copy)]
pub struct CanvassResponses<'a> {
    client: &'a VanClient,
}

impl<'a> CanvassResponses<'a> {
    pub(crate) fn new(client: &'a VanClient) -> Self {
        CanvassResponses { client }
    }

    /// `POST /people/{vanId}/canvassResponses` with a full body.
    pub fn record(self, van_id: u64, response: CanvassResponse) -> RecordCanvassResponse<'a> {
        RecordCanvassResponse {
            client: self.client,
            path: format!("people/{van_id}/canvassResponses"),
            body: response,
        }
    }

    /// `POST /people/{idType}:{id}/canvassResponses`.
    pub fn record_by_alternate_id(
        self,
        id_type: &str,
        id: &str,
        response: CanvassResponse,
    ) -> RecordCanvassResponse<'a> {
        RecordCanvassResponse {
            client: self.client,
            path: format!("people/{id_type}:{id}/canvassResponses"),
            body: response,
        }
    }

    /// Applies an activist code (a canvass response with one response; the
    /// context defaults to input type API, no contact type, today).
    pub fn apply_activist_code(
        self,
        van_id: u64,
        activist_code_id: u64,
    ) -> RecordCanvassResponse<'a> {
        self.record(
            van_id,
            CanvassResponse::responses(
                bare_context(),
                vec![ResponseItem::apply_activist_code(activist_code_id)],
            ),
        )
    }

    /// Removes an activist code.
    pub fn remove_activist_code(
        self,
        van_id: u64,
        activist_code_id: u64,
    ) -> RecordCanvassResponse<'a> {
        self.record(
            van_id,
            CanvassResponse::responses(
                bare_context(),
                vec![ResponseItem::remove_activist_code(activist_code_id)],
            ),
        )
    }

    /// Records an answer to a survey question.
    pub fn survey_response(
        self,
        van_id: u64,
        survey_question_id: u64,
        survey_response_id: u64,
    ) -> RecordCanvassResponse<'a> {
        self.record(
            van_id,
            CanvassResponse::responses(
                bare_context(),
                vec![ResponseItem::survey_response(
                    survey_question_id,
                    survey_response_id,
                )],
            ),
        )
    }

    /// Records a non-contact with a result code (Not Home, Wrong Number …).
    pub fn result_code(
        self,
        van_id: u64,
        contact_type_id: u64,
        result_code_id: u64,
    ) -> RecordCanvassResponse<'a> {
        self.record(
            van_id,
            CanvassResponse::result_code(CanvassContext::new(contact_type_id), result_code_id),
        )
    }

    /// `GET /canvassResponses/resultCodes`.
    ///
    /// # Errors
    /// As VAN answers.
    pub async fn result_codes(self) -> Result<Vec<ResultCode>, Error> {
        get_list(
            self.client,
            "canvassResponses/resultCodes",
            &[],
            "result codes",
        )
        .await
    }

    /// `GET /canvassResponses/contactTypes`.
    ///
    /// # Errors
    /// As VAN answers.
    pub async fn contact_types(self) -> Result<Vec<ContactType>, Error> {
        get_list(
            self.client,
            "canvassResponses/contactTypes",
            &[],
            "contact types",
        )
        .await
    }

    /// `GET /canvassResponses/inputTypes`.
    ///
    /// # Errors
    /// As VAN answers.
    pub async fn input_types(self) -> Result<Vec<InputType>, Error> {
        get_list(
            self.client,
            "canvassResponses/inputTypes",
            &[],
            "input types",
        )
        .await
    }
}

fn bare_context() -> CanvassContext {
    CanvassContext {
        contact_type_id: None,
        ..CanvassContext::new(0)
    }
}

/// One canvass response being built; finish with [`send`](Self::send).
#[must_use = "a request does nothing until sent"]
#[derive(Debug)]
pub struct RecordCanvassResponse<'a> {
    client: &'a VanClient,
    path: String,
    body: CanvassResponse,
}

impl RecordCanvassResponse<'_> {
    /// Sets the contact type (`37` = SMS Text in VAN's samples).
    pub fn contact_type(mut self, contact_type_id: u64) -> Self {
        self.body.canvass_context.contact_type_id = Some(contact_type_id);
        self
    }

    /// Sets the date canvassed.
    pub fn date_canvassed(mut self, at: chrono::DateTime<chrono::Utc>) -> Self {
        self.body.canvass_context.date_canvassed =
            Some(at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
        self
    }

    /// Sets the phone used and its SMS opt-in status (`"I"`, `"O"`, `"U"`);
    /// `"O"` is VAN's SMS opt-out. `number` may be E.164 or ten digits.
    pub fn phone(mut self, number: &str, sms_opt_in_status: Option<&str>) -> Self {
        let digits: String = number.chars().filter(char::is_ascii_digit).collect();
        let (prefix, local) = if digits.len() == 11 && digits.starts_with('1') {
            (Some("1".to_string()), digits[1..].to_string())
        } else {
            (None, digits)
        };
        self.body.canvass_context.phone = Some(ContextPhone {
            dialing_prefix: prefix,
            phone_number: local,
            sms_opt_in_status: sms_opt_in_status.map(str::to_string),
        });
        self
    }

    /// The body that will be sent.
    pub fn body(&self) -> &CanvassResponse {
        &self.body
    }

    /// Sends it (VAN answers 204). Not retried after a transient failure,
    /// because each canvass response is a new contact-history row.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when the body has both or neither of a result
    /// code and responses; otherwise as VAN answers.
    pub async fn send(self) -> Result<(), Error> {
        self.body.validate()?;
        self.client
            .http
            .post(self.path.as_str())
            .json(&self.body)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| self.client.explain(e))
    }
}

/// The codes handler: `van.codes()`.
#[derive(Debug, Clone, Copy)]
pub struct Codes<'a> {
    client: &'a VanClient,
}

impl<'a> Codes<'a> {
    pub(crate) fn new(client: &'a VanClient) -> Self {
        Codes { client }
    }

    /// `GET /codes`.
    pub fn list(self) -> ListRequest<Code> {
        ListRequest::new(self.client, "codes", PageLimits::STANDARD, "codes")
    }

    /// `GET /codes/{id}`.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown id.
    pub async fn get(self, id: u64) -> Result<Code, Error> {
        get_one(self.client, &format!("codes/{id}"), "code").await
    }
}
