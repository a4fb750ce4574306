//! No page of people, however malformed, makes the decoder or the mapping panic,
//! and every item comes out as a record or a skipped issue.

#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers in tests may panic

use canvass_actionnetwork::client::HalPage;
use canvass_actionnetwork::mapping::{attendance_status, map_item, subscription_status};
use canvass_core::EntityKind;
use proptest::prelude::*;
use serde_json::{Value, json};

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        "\\PC{0,20}".prop_map(Value::String),
        Just(json!("2014-03-20T21:04:31Z")),
        Just(json!("555-0143")),
        Just(json!("(414) 202-0792")),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    scalar().prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-z_]{1,8}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A person-shaped object: known keys with values of any shape.
fn person() -> impl Strategy<Value = Value> {
    (
        prop::option::of(prop_oneof![value(), Just(json!(["action_network:x1"]))]),
        prop::option::of(value()),
        prop::option::of(prop_oneof![
            value(),
            prop::collection::vec((value(), value()), 0..3).prop_map(|v| json!(
                v.into_iter()
                    .map(|(a, s)| json!({"address": a, "status": s}))
                    .collect::<Vec<_>>()
            )),
        ]),
        prop::option::of(prop_oneof![
            value(),
            prop::collection::vec((value(), value()), 0..3).prop_map(|v| json!(
                v.into_iter()
                    .map(|(n, s)| json!({"number": n, "status": s}))
                    .collect::<Vec<_>>()
            )),
        ]),
        prop::option::of(value()),
        prop::option::of(value()),
    )
        .prop_map(|(ids, name, emails, phones, modified, links)| {
            let mut m = serde_json::Map::new();
            for (k, v) in [
                ("identifiers", ids),
                ("given_name", name),
                ("email_addresses", emails),
                ("phone_numbers", phones),
                ("modified_date", modified),
                ("_links", links),
            ] {
                if let Some(v) = v {
                    m.insert(k.into(), v);
                }
            }
            Value::Object(m)
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn no_generated_page_of_people_panics(items in prop::collection::vec(prop_oneof![person(), value()], 0..6), next in any::<bool>()) {
        let mut body = json!({"page": 1, "_embedded": {"osdi:people": items}});
        if next {
            body["_links"] = json!({"next": {"href": "https://x/api/v2/people?page=2"}});
        }
        let page = HalPage::from_json("people", 1, &body);
        prop_assert_eq!(page.items.len(), items.len());
        for (i, item) in page.items.iter().enumerate() {
            match map_item(&EntityKind::People, None, &format!("item {i}"), item) {
                Ok((record, issues)) => {
                    prop_assert!(!record.source().id.is_empty());
                    prop_assert!(issues.iter().all(|i| !i.skipped));
                }
                Err(issue) => prop_assert!(issue.skipped),
            }
        }
    }

    #[test]
    fn any_body_is_a_page_or_an_empty_one(body in value()) {
        let page = HalPage::from_json("people", 3, &body);
        if page.items.is_empty() {
            prop_assert!(page.is_last());
        }
    }

    #[test]
    fn every_kind_maps_any_object_without_panicking(item in value()) {
        for kind in [EntityKind::Tags, EntityKind::Taggings, EntityKind::Events, EntityKind::Attendances, EntityKind::Donations, EntityKind::Actions] {
            let _ = map_item(&kind, None, "item", &item);
        }
    }

    #[test]
    fn statuses_never_fail(s in "\\PC{0,20}") {
        let _ = attendance_status(&s);
        let status = subscription_status(Some(&s));
        if !s.trim().is_empty() && s.trim().to_lowercase().replace([' ', '-'], "_") != "unknown" {
            prop_assert_ne!(status, canvass_core::SubscriptionStatus::Unknown);
        }
    }
}
