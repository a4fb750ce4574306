//! VAN's error body, `{"errors":[{code,text,properties}]}`, mapped onto
//! [`canvass_core::Error`] by the HTTP layer through [`parse_error_body`].

use canvass_core::http::VendorError;
use serde::Deserialize;

/// The vendor code [`parse_error_body`] gives a `{vanId, status}` match body.
///
/// VAN answers a people match with `302 Found` and that body. The shared HTTP
/// layer never follows redirects and treats every non-2xx status as an
/// error, so the parser tags the body with this code and the people handler
/// turns the "error" back into a success.
pub const MATCH_BODY_CODE: &str = "VAN_MATCH_FOUND";

#[derive(Deserialize)]
struct Body {
    errors: Vec<Item>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Item {
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    properties: Option<Vec<String>>,
    #[serde(default)]
    hint: Option<String>,
    #[serde(default)]
    reference_code: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct MatchBody {
    van_id: u64,
    #[serde(default)]
    status: Option<String>,
}

/// Parses VAN's error body into the vendor code (of the first error), every
/// error's text (joined with `; `, with hints and reference codes), and every
/// property VAN blamed (`"phones[1].extension"`).
///
/// A people-match body (`{"vanId":…,"status":…}`, sent with 302) is returned
/// as code [`MATCH_BODY_CODE`] with the van id as the only field and the
/// status as the message. Anything else is `None` (the raw text is used).
///
/// ```
/// use canvass_van::error::parse_error_body;
/// let body = br#"{"errors":[{"properties":["dateBegin","dateEnd"],"text":"dateEnd must come after dateBegin","code":"INVALID_PARAMETER"}]}"#;
/// let e = parse_error_body(body).unwrap();
/// assert_eq!(e.code.as_deref(), Some("INVALID_PARAMETER"));
/// assert_eq!(e.fields, vec!["dateBegin", "dateEnd"]);
/// assert_eq!(e.message, "dateEnd must come after dateBegin");
/// ```
pub fn parse_error_body(body: &[u8]) -> Option<VendorError> {
    if let Ok(parsed) = serde_json::from_slice::<Body>(body) {
        if parsed.errors.is_empty() {
            return None;
        }
        let code = parsed.errors.iter().find_map(|e| e.code.clone());
        let mut fields = Vec::new();
        let mut texts = Vec::new();
        for e in &parsed.errors {
            let mut text = e
                .text
                .clone()
                .unwrap_or_else(|| e.code.clone().unwrap_or_default());
            if let Some(h) = e.hint.as_deref().filter(|h| !h.is_empty()) {
                text.push_str(&format!(" (hint: {h})"));
            }
            if let Some(r) = e.reference_code.as_deref().filter(|r| !r.is_empty()) {
                text.push_str(&format!(" (reference {r})"));
            }
            texts.push(text);
            for p in e.properties.iter().flatten() {
                if !fields.contains(p) {
                    fields.push(p.clone());
                }
            }
        }
        return Some(VendorError {
            code,
            message: texts.join("; "),
            fields,
        });
    }
    if let Ok(m) = serde_json::from_slice::<MatchBody>(body) {
        return Some(VendorError {
            code: Some(MATCH_BODY_CODE.to_string()),
            message: m.status.unwrap_or_default(),
            fields: vec![m.van_id.to_string()],
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn several_errors_keep_every_text_and_property() {
        let body = br#"{"errors":[{"code":"INVALID_PARAMETER","text":"a","properties":["x"]},{"code":"OTHER","text":"b","properties":["y","x"],"hint":"try c","referenceCode":"R1"}]}"#;
        let e = parse_error_body(body).unwrap_or_default();
        assert_eq!(e.code.as_deref(), Some("INVALID_PARAMETER"));
        assert_eq!(e.message, "a; b (hint: try c) (reference R1)");
        assert_eq!(e.fields, vec!["x", "y"]);
    }

    #[test]
    fn match_body_is_tagged_with_the_van_id() {
        let e = parse_error_body(br#"{"vanId":42,"status":"Matched"}"#).unwrap_or_default();
        assert_eq!(e.code.as_deref(), Some(MATCH_BODY_CODE));
        assert_eq!(e.fields, vec!["42"]);
    }

    #[test]
    fn other_bodies_are_left_to_the_raw_text() {
        assert!(parse_error_body(b"<html>gateway</html>").is_none());
        assert!(parse_error_body(br#"{"error":"Too many requests"}"#).is_none());
        assert!(parse_error_body(br#"{"errors":[]}"#).is_none());
    }

    proptest! {
        #[test]
        fn never_panics_on_any_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = parse_error_body(&bytes);
        }

        #[test]
        fn code_text_and_properties_survive(code in "[A-Z_]{1,20}", text in "[ -~]{0,40}", props in proptest::collection::vec("[a-zA-Z.\\[\\]0-9]{1,12}", 0..4)) {
            let body = serde_json::json!({"errors":[{"code":code,"text":text,"properties":props}]});
            let e = parse_error_body(body.to_string().as_bytes()).unwrap_or_default();
            prop_assert_eq!(e.code.as_deref(), Some(code.as_str()));
            prop_assert_eq!(e.message, text);
            let mut unique: Vec<String> = Vec::new();
            for p in props { if !unique.contains(&p) { unique.push(p); } }
            prop_assert_eq!(e.fields, unique);
        }
    }
}
