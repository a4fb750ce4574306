//! The push rules of the standardized VAN sync.

use serde::{Deserialize, Serialize};

/// One push rule. The names are the ledger's `rule` column and the keys of
/// [`PlanSummary`](crate::PlanSummary) counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// Source events that RSVPs point to and no mapping names → VAN events
    /// with their shifts (only with a `create_events` table).
    CreateEvents,
    /// RSVPs (Mobilize and Action Network attendances) → VAN event signups.
    RsvpsToSignups,
    /// Tags (Action Network, texting tools) → VAN activist codes.
    TagsToActivistCodes,
    /// Texting contact attempts → VAN contact history (texted / canvassed).
    TextsToContactHistory,
    /// SMS opt-outs → the phone's SMS opt-out and the mapped result code.
    OptOuts,
    /// Survey answers → VAN survey responses.
    SurveyResponses,
}

impl Rule {
    /// Every rule, in execution order.
    pub const ALL: [Rule; 6] = [
        Rule::CreateEvents,
        Rule::RsvpsToSignups,
        Rule::TagsToActivistCodes,
        Rule::TextsToContactHistory,
        Rule::OptOuts,
        Rule::SurveyResponses,
    ];

    /// The rule's name (`"rsvps_to_signups"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Rule::CreateEvents => "create_events",
            Rule::RsvpsToSignups => "rsvps_to_signups",
            Rule::TagsToActivistCodes => "tags_to_activist_codes",
            Rule::TextsToContactHistory => "texts_to_contact_history",
            Rule::OptOuts => "opt_outs",
            Rule::SurveyResponses => "survey_responses",
        }
    }

    /// Whether re-sending the rule's VAN call can never duplicate anything
    /// in VAN. Signups are an upsert on (person, event, shift, role) and an
    /// activist code a person already has stays one code, so those may be
    /// re-sent after a crash left their outcome unknown. Contact history,
    /// opt-out result codes and survey responses add a contact-history row
    /// per call: they are never re-sent while their outcome is unknown.
    pub fn is_idempotent(self) -> bool {
        matches!(self, Rule::RsvpsToSignups | Rule::TagsToActivistCodes)
    }
}

impl std::fmt::Display for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
