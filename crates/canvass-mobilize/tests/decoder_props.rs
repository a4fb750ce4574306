//! Property tests of the per-item decoder and mapper.
#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers outside #[test] fns may panic

use canvass_core::{AttendanceStatus, EntityKind, Record};
use canvass_mobilize::map::{ItemKind, map_item};
use proptest::prelude::*;
use serde_json::{Value, json};

fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| json!(f)),
        "[a-zA-Z0-9 _@.-]{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("id".to_string()),
                    Just("person".to_string()),
                    Just("event".to_string()),
                    Just("timeslot".to_string()),
                    Just("timeslots".to_string()),
                    Just("status".to_string()),
                    Just("attended".to_string()),
                    Just("modified_date".to_string()),
                    Just("email_addresses".to_string()),
                    Just("location".to_string()),
                    "[a-z_]{1,8}",
                ],
                inner,
                0..6
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #[test]
    fn decoding_arbitrary_json_never_panics_and_always_accounts_for_the_item(value in any_json()) {
        for (item, kind) in [
            (ItemKind::Attendance, EntityKind::Attendances),
            (ItemKind::Person, EntityKind::People),
            (ItemKind::EventWithShifts, EntityKind::Events),
            (ItemKind::Deleted, EntityKind::Events),
        ] {
            let mapped = map_item(item, &kind, &value, 3);
            // Either records came out, or an issue says why not.
            prop_assert!(!mapped.records.is_empty() || !mapped.issues.is_empty());
            prop_assert!(!mapped.id.is_empty());
        }
    }

    #[test]
    fn well_formed_attendances_map_per_the_status_rules(
        id in prop::option::of(1u64..1_000_000),
        person in 1u64..1_000_000,
        event in 1u64..1_000_000,
        slot in 1u64..1_000_000,
        status in prop_oneof![Just("REGISTERED".to_string()), Just("CONFIRMED".to_string()), Just("CANCELLED".to_string()), "[A-Z]{3,10}"],
        attended in prop::option::of(any::<bool>()),
        modified in 0i64..4_000_000_000,
        as_string in any::<bool>(),
    ) {
        let mut v = json!({
            "created_date": modified, "status": status, "attended": attended,
            "modified_date": if as_string { json!(modified.to_string()) } else { json!(modified) },
            "person": {"id": person}, "event": {"id": event}, "timeslot": {"id": slot, "start_date": 5}
        });
        if let Some(id) = id { v["id"] = json!(id); }
        let mapped = map_item(ItemKind::Attendance, &EntityKind::Attendances, &v, 0);
        prop_assert!(mapped.issues.is_empty(), "{:?}", mapped.issues);
        let [Record::Attendance(a)] = mapped.records.as_slice() else { return Err(TestCaseError::fail("one attendance")) };
        let expected_id = id.map_or_else(|| format!("p{person}-e{event}-t{slot}"), |i| i.to_string());
        prop_assert_eq!(&a.source.id, &expected_id);
        prop_assert_eq!(a.modified_at.map(|t| t.timestamp()), Some(modified));
        let expected = match (status.as_str(), attended) {
            (_, Some(true)) => AttendanceStatus::Attended,
            ("CANCELLED", _) => AttendanceStatus::Cancelled,
            (_, Some(false)) => AttendanceStatus::NoShow,
            ("REGISTERED", None) => AttendanceStatus::Registered,
            ("CONFIRMED", None) => AttendanceStatus::Confirmed,
            (other, None) => AttendanceStatus::Other(other.to_lowercase()),
        };
        prop_assert_eq!(&a.status, &expected);
    }
}
