//! Events, shifts, roles, locations, event types and signups.

use serde::{Deserialize, Serialize};

use super::{Address, Extra};

/// An event. Collections are `None` unless expanded (`$expand=shifts,roles,locations`).
/// The same type is sent to `POST /events` (leave `event_id` unset).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Event {
    /// VAN's id.
    #[serde(
        default,
        deserialize_with = "super::lenient::opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub event_id: Option<u64>,
    /// Name.
    #[serde(default, deserialize_with = "super::lenient::text")]
    pub name: String,
    /// Short name (at most 12 characters in VAN).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub short_name: Option<String>,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Start, with offset (`"2015-06-01T15:00:00-04:00"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_date: Option<String>,
    /// End.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_date: Option<String>,
    /// The event type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_type: Option<EventTypeRef>,
    /// Shifts.
    #[serde(
        default,
        deserialize_with = "super::lenient::opt_vec",
        skip_serializing_if = "Option::is_none"
    )]
    pub shifts: Option<Vec<EventShift>>,
    /// Roles people can sign up for.
    #[serde(
        default,
        deserialize_with = "super::lenient::opt_vec",
        skip_serializing_if = "Option::is_none"
    )]
    pub roles: Option<Vec<Role>>,
    /// Locations.
    #[serde(
        default,
        deserialize_with = "super::lenient::opt_vec",
        skip_serializing_if = "Option::is_none"
    )]
    pub locations: Option<Vec<Location>>,
    /// Everything else (`codes`, `notes`, `districtFieldValue`, `createdDate`, …).
    #[serde(flatten)]
    pub extra: Extra,
}

/// A reference to an event type.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EventTypeRef {
    /// VAN's id.
    #[serde(deserialize_with = "super::lenient::id")]
    pub event_type_id: u64,
    /// Name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// A shift of an event.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EventShift {
    /// VAN's id (unset when creating).
    #[serde(
        default,
        deserialize_with = "super::lenient::opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub event_shift_id: Option<u64>,
    /// Name (`"Setup"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_time: Option<String>,
    /// End.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_time: Option<String>,
    /// Everything else.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A role (`Host`, `Volunteer`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Role {
    /// VAN's id.
    #[serde(deserialize_with = "super::lenient::id")]
    pub role_id: u64,
    /// Name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Whether it is the event lead role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_event_lead: Option<bool>,
    /// Everything else (`min`, `max`, `goal`).
    #[serde(flatten)]
    pub extra: Extra,
}

/// A location.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Location {
    /// VAN's id.
    #[serde(
        default,
        deserialize_with = "super::lenient::opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub location_id: Option<u64>,
    /// Name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Display name with the address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// The address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<Address>,
    /// Everything else.
    #[serde(flatten)]
    pub extra: Extra,
}

/// An event type, with its roles and signup statuses (`GET /events/types`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EventType {
    /// VAN's id.
    #[serde(deserialize_with = "super::lenient::id")]
    pub event_type_id: u64,
    /// Name (`"Phone Bank"`).
    #[serde(default, deserialize_with = "super::lenient::text")]
    pub name: String,
    /// Roles.
    #[serde(default, deserialize_with = "super::lenient::vec")]
    pub roles: Vec<Role>,
    /// Signup statuses.
    #[serde(default, deserialize_with = "super::lenient::vec")]
    pub statuses: Vec<SignupStatus>,
    /// Everything else (`canHaveMultipleShifts`, `color`, …).
    #[serde(flatten)]
    pub extra: Extra,
}

/// A signup status (`{"statusId":4,"name":"Invited"}`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignupStatus {
    /// VAN's id.
    #[serde(deserialize_with = "super::lenient::id")]
    pub status_id: u64,
    /// Name (`"Scheduled"`, `"Completed"`, `"No Show"`, `"Walk In"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// A reference to a person in a signup.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PersonRef {
    /// VAN id (VAN's Signups common models document it as a string; its
    /// examples send a number: both are read).
    #[serde(deserialize_with = "super::lenient::id")]
    pub van_id: u64,
    /// First name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    /// Last name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    /// Everything else.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A reference to an event in a signup.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EventRef {
    /// VAN's id.
    #[serde(deserialize_with = "super::lenient::id")]
    pub event_id: u64,
    /// Name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Everything else.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A reference to a shift in a signup.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ShiftRef {
    /// VAN's id.
    #[serde(deserialize_with = "super::lenient::id")]
    pub event_shift_id: u64,
    /// Name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// A reference to a location in a signup.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LocationRef {
    /// VAN's id.
    #[serde(deserialize_with = "super::lenient::id")]
    pub location_id: u64,
    /// Name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// A signup: a person on an event's shift in a role, with a status.
/// `POST /signups` is an upsert on (person, event, shift, role).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Signup {
    /// VAN's id (unset when creating).
    #[serde(
        default,
        deserialize_with = "super::lenient::opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub event_signup_id: Option<u64>,
    /// Who.
    pub person: PersonRef,
    /// Which event.
    pub event: EventRef,
    /// Which shift.
    pub shift: ShiftRef,
    /// Which role.
    pub role: Role,
    /// Status.
    pub status: SignupStatus,
    /// Where, when the event has several locations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<LocationRef>,
    /// Everything else (`startTimeOverride`, `dateModified`, …).
    #[serde(flatten)]
    pub extra: Extra,
}

impl Signup {
    /// A signup to create: person, event, shift, role and status ids.
    ///
    /// ```
    /// let s = canvass_van::models::Signup::new(100476252, 1370, 2162, 111687, 1);
    /// let json = serde_json::to_value(&s).unwrap();
    /// assert_eq!(json["shift"]["eventShiftId"], 2162);
    /// ```
    pub fn new(van_id: u64, event_id: u64, shift_id: u64, role_id: u64, status_id: u64) -> Signup {
        Signup {
            event_signup_id: None,
            person: PersonRef {
                van_id,
                ..PersonRef::default()
            },
            event: EventRef {
                event_id,
                ..EventRef::default()
            },
            shift: ShiftRef {
                event_shift_id: shift_id,
                name: None,
            },
            role: Role {
                role_id,
                ..Role::default()
            },
            status: SignupStatus {
                status_id,
                name: None,
            },
            location: None,
            extra: Extra::new(),
        }
    }
}
