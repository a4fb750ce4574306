//! Strive's tables as Rust types (columns per developers.strivemessaging.org
//! and parsons' `strive.py`). Every column is optional but the id, and
//! columns canvass does not know are kept in `extra`.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

/// Decodes `null` as the type's default.
pub(crate) fn null_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// PostgREST's error body: `{"code", "message", "details", "hint"}`
/// (**UNVERIFIED** for Strive; the decoder accepts anything).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PostgrestError {
    /// PostgREST or Postgres code (`PGRST301`, `42703`).
    #[serde(default)]
    pub code: Option<Value>,
    /// The message.
    #[serde(default)]
    pub message: Option<String>,
    /// Details.
    #[serde(default)]
    pub details: Option<Value>,
    /// A hint.
    #[serde(default)]
    pub hint: Option<Value>,
}

/// A member (a subscriber), from `/members`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Member {
    /// Strive's id.
    pub id: i64,
    /// The campaign (Strive account) it belongs to.
    #[serde(default)]
    pub campaign_id: Option<i64>,
    /// Phone number, as stored.
    #[serde(default)]
    pub phone_number: Option<String>,
    /// First name.
    #[serde(default)]
    pub first_name: Option<String>,
    /// Last name.
    #[serde(default)]
    pub last_name: Option<String>,
    /// City.
    #[serde(default)]
    pub city: Option<String>,
    /// State.
    #[serde(default)]
    pub state: Option<String>,
    /// ZIP code.
    #[serde(default)]
    pub postal_code: Option<String>,
    /// Email.
    #[serde(default)]
    pub email: Option<String>,
    /// Notes.
    #[serde(default)]
    pub notes: Option<String>,
    /// More notes.
    #[serde(default)]
    pub additional_notes: Option<String>,
    /// Subscribed to messages.
    #[serde(default)]
    pub opt_in: Option<bool>,
    /// Custom fields (jsonb).
    #[serde(default, deserialize_with = "null_default")]
    pub custom: Map<String, Value>,
    /// When first imported or opted in.
    #[serde(default)]
    pub created_at: Option<String>,
    /// When last changed.
    #[serde(default)]
    pub updated_at: Option<String>,
    /// The groups it belongs to (json; read by [`Member::groups`], which
    /// also reads `groups`, the name Parsons' published example uses).
    #[serde(default)]
    pub group: Option<Value>,
    /// Mobile carrier.
    #[serde(default)]
    pub carrier: Option<String>,
    /// The first subscription event kept.
    #[serde(default)]
    pub first_sub_id: Option<i64>,
    /// Other columns.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A group named in a member's `group` column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupRef {
    /// The group's id, when given.
    pub id: Option<String>,
    /// The group's name, when given.
    pub name: Option<String>,
}

impl Member {
    /// The groups the member is in, whatever their shape: a list of `{id,
    /// name}` objects, a list of names or ids, one object, or a JSON string
    /// holding any of those. Read from the `group` column Strive's docs
    /// list and from `groups`, the name Parsons' published example row uses
    /// (kept in `extra`); a group in both is given once.
    ///
    /// ```
    /// use canvass_strive::models::Member;
    /// let m: Member = serde_json::from_value(serde_json::json!({
    ///     "id": 1, "groups": [{"id": 251726, "name": "example_group"}]
    /// })).unwrap();
    /// assert_eq!(m.groups()[0].id.as_deref(), Some("251726"));
    /// ```
    pub fn groups(&self) -> Vec<GroupRef> {
        let mut out = groups_in(self.group.as_ref());
        for g in groups_in(self.extra.get("groups")) {
            if !out.contains(&g) {
                out.push(g);
            }
        }
        out
    }
}

/// The groups a `group`/`groups` value names (see [`Member::groups`]).
fn groups_in(value: Option<&Value>) -> Vec<GroupRef> {
    fn one(v: &Value) -> Option<GroupRef> {
        let text = |v: &Value| match v {
            Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        };
        match v {
            Value::Object(o) => {
                let g = GroupRef {
                    id: o.get("id").and_then(text),
                    name: o.get("name").and_then(text),
                };
                (g.id.is_some() || g.name.is_some()).then_some(g)
            }
            Value::Number(_) => text(v).map(|id| GroupRef {
                id: Some(id),
                name: None,
            }),
            Value::String(_) => text(v).map(|name| GroupRef {
                id: None,
                name: Some(name),
            }),
            _ => None,
        }
    }
    match value {
        Some(Value::Array(items)) => items.iter().filter_map(one).collect(),
        Some(Value::String(s)) => match serde_json::from_str::<Value>(s) {
            Ok(v @ (Value::Array(_) | Value::Object(_))) => groups_in(Some(&v)),
            _ => one(&Value::String(s.clone())).into_iter().collect(),
        },
        Some(v) => one(v).into_iter().collect(),
        None => vec![],
    }
}

/// The body of `POST /members` (answered 201).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NewMember {
    /// Phone number (E.164).
    pub phone_number: String,
    /// The campaign.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub campaign_id: Option<i64>,
    /// First name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    /// Last name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    /// Email.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// ZIP code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    /// Whether the person consented to messages.
    pub opt_in: bool,
    /// Groups to add the member to, by name.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub groups: Vec<NewGroupRef>,
}

/// A group named in a new member.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewGroupRef {
    /// The group's name.
    pub name: String,
}

/// A message sent to a member, from `/outgoing_messages`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OutgoingMessage {
    /// Strive's id.
    pub id: i64,
    /// The campaign.
    #[serde(default)]
    pub campaign_id: Option<i64>,
    /// The member it went to.
    #[serde(default)]
    pub member_id: Option<i64>,
    /// The text.
    #[serde(default)]
    pub message: Option<String>,
    /// The broadcast it was part of.
    #[serde(default)]
    pub broadcast_id: Option<i64>,
    /// The inbox (P2P) conversation it was part of.
    #[serde(default)]
    pub p2p_id: Option<i64>,
    /// The flow action that sent it.
    #[serde(default)]
    pub flow_action_id: Option<Value>,
    /// Delivery status (open set).
    #[serde(default)]
    pub status: Option<String>,
    /// The carrier's error code.
    #[serde(default)]
    pub error_code: Option<Value>,
    /// When sent.
    #[serde(default)]
    pub sent_at: Option<String>,
    /// When queued.
    #[serde(default)]
    pub queued_at: Option<String>,
    /// Other columns.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A message from a member, from `/incoming_messages`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct IncomingMessage {
    /// Strive's id.
    pub id: i64,
    /// The campaign.
    #[serde(default)]
    pub campaign_id: Option<i64>,
    /// The member who sent it.
    #[serde(default)]
    pub member_id: Option<i64>,
    /// The member's number.
    #[serde(default)]
    pub from_number: Option<String>,
    /// The number texted.
    #[serde(default)]
    pub to_number: Option<String>,
    /// The text.
    #[serde(default)]
    pub message: Option<String>,
    /// MMS attachments.
    #[serde(default)]
    pub attachments: Option<Value>,
    /// When received.
    #[serde(default)]
    pub sent_at: Option<String>,
    /// Whether Strive read it as an opt-out request.
    #[serde(default)]
    pub is_opt_out: Option<bool>,
    /// The conversation.
    #[serde(default)]
    pub conversation_id: Option<Value>,
    /// The flow it answered.
    #[serde(default)]
    pub flow_id: Option<Value>,
    /// The broadcast it answered.
    #[serde(default)]
    pub response_to_id: Option<i64>,
    /// Other columns.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A subscribe or unsubscribe event, from `/subscription_events` (Strive's opt-outs).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SubscriptionEvent {
    /// Strive's id.
    pub id: i64,
    /// The member.
    #[serde(default)]
    pub member_id: Option<i64>,
    /// What led to it (`keyword`, `carrier`, `manual`, `import`, …).
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    /// When.
    #[serde(default)]
    pub created_at: Option<String>,
    /// The upload, status code or message behind it.
    #[serde(default)]
    pub ref_id: Option<Value>,
    /// More about it (the keyword, the carrier message).
    #[serde(default)]
    pub supplemental: Option<String>,
    /// True for an unsubscribe.
    #[serde(default, deserialize_with = "null_default")]
    pub unsubscribe: bool,
    /// The campaign.
    #[serde(default)]
    pub campaign_id: Option<i64>,
    /// Other columns.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A row of a small table (`/groups`, `/campaigns`, `/broadcasts`,
/// `/custom_fields`): its id, a name, and everything else.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Row {
    /// The id.
    pub id: Value,
    /// Its name (or label, or title), when it has one.
    #[serde(default, alias = "label", alias = "title")]
    pub name: Option<String>,
    /// Other columns.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}
