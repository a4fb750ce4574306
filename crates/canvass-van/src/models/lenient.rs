//! Tolerant decoders for the shapes VAN's published examples use besides
//! the obvious one, so a response that a published example shows decodes:
//!
//! - a collection VAN did not expand is `null`, and Parsons' public test
//!   fixtures (`test/test_van/test_events.py`) write it as the *string*
//!   `"null"`: both read as absent;
//! - ids are integers in VAN's examples, but VAN's Signups common models
//!   document `person.vanId` as a string: both read as the number;
//! - a name VAN leaves `null` reads as empty text rather than failing the
//!   record.
//!
//! Arrays are decoded element by element through the original
//! deserializer, so a bad element is still reported at its JSON path
//! (`shifts[1].eventShiftId`).

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserialize, Deserializer, SeqAccess, Unexpected, Visitor};

fn is_null_text(s: &str) -> bool {
    let t = s.trim();
    t.is_empty() || t.eq_ignore_ascii_case("null")
}

struct OptVec<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for OptVec<T> {
    type Value = Option<Vec<T>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array or null")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
        if is_null_text(s) {
            Ok(None)
        } else {
            Err(E::invalid_type(Unexpected::Str(s), &self))
        }
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
        while let Some(item) = seq.next_element()? {
            out.push(item);
        }
        Ok(Some(out))
    }
}

/// An optional array: `null`, `"null"` and a missing field are `None`.
pub(crate) fn opt_vec<'de, D, T>(d: D) -> Result<Option<Vec<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    d.deserialize_any(OptVec(PhantomData))
}

/// An array that may be `null` or `"null"` (read as empty).
pub(crate) fn vec<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    opt_vec(d).map(Option::unwrap_or_default)
}

struct Id;

impl Visitor<'_> for Id {
    type Value = u64;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a VAN id (a whole number, or one written as text)")
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<u64, E> {
        Ok(v)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<u64, E> {
        u64::try_from(v).map_err(|_| E::invalid_value(Unexpected::Signed(v), &self))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<u64, E> {
        if v.fract() == 0.0 && v >= 0.0 && v < u64::MAX as f64 {
            Ok(v as u64)
        } else {
            Err(E::invalid_value(Unexpected::Float(v), &self))
        }
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<u64, E> {
        s.trim()
            .parse()
            .map_err(|_| E::invalid_value(Unexpected::Str(s), &self))
    }
}

/// An id written as a number or as numeric text (`100476252` or `"100476252"`).
pub(crate) fn id<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    d.deserialize_any(Id)
}

struct OptId;

impl<'de> Visitor<'de> for OptId {
    type Value = Option<u64>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a VAN id or null")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Some(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Id.visit_i64(v).map(Some)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Id.visit_f64(v).map(Some)
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
        if is_null_text(s) {
            Ok(None)
        } else {
            Id.visit_str(s).map(Some)
        }
    }
}

/// An optional id: a number, numeric text, `null` or missing.
pub(crate) fn opt_id<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    d.deserialize_any(OptId)
}

/// Text that may be `null` (read as empty).
pub(crate) fn text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Option::<String>::deserialize(d).map(Option::unwrap_or_default)
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;
    use serde_json::json;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Probe {
        #[serde(default, deserialize_with = "super::opt_vec")]
        list: Option<Vec<u64>>,
        #[serde(default, deserialize_with = "super::vec")]
        always: Vec<u64>,
        #[serde(deserialize_with = "super::id")]
        id: u64,
        #[serde(default, deserialize_with = "super::opt_id")]
        other: Option<u64>,
        #[serde(default, deserialize_with = "super::text")]
        name: String,
    }

    fn probe(v: serde_json::Value) -> Result<Probe, String> {
        serde_path_to_error::deserialize(v).map_err(|e| format!("{} at {}", e.inner(), e.path()))
    }

    #[test]
    fn null_and_the_text_null_are_absent_collections() {
        for absent in [json!(null), json!("null"), json!("NULL")] {
            let p = probe(json!({"list": absent, "always": absent, "id": 1, "name": null}))
                .unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(p.list, None);
            assert!(p.always.is_empty());
            assert_eq!(p.name, "");
        }
        let p = probe(json!({"id": 1})).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((p.list, p.other), (None, None));
    }

    #[test]
    fn ids_may_be_numbers_or_numeric_text() {
        let p = probe(json!({"id": "100476252", "other": 7, "list": [1, 2]}))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (p.id, p.other, p.list),
            (100476252, Some(7), Some(vec![1, 2]))
        );
        assert!(probe(json!({"id": "abc"})).is_err());
        assert!(probe(json!({"id": -3})).is_err());
    }

    #[test]
    fn a_bad_element_is_reported_at_its_path() {
        let err = probe(json!({"id": 1, "list": [1, "x"]}))
            .err()
            .unwrap_or_default();
        assert!(err.ends_with("at list[1]"), "{err}");
        let err = probe(json!({"id": 1, "list": "some text"}))
            .err()
            .unwrap_or_default();
        assert!(err.contains("an array or null"), "{err}");
    }
}
