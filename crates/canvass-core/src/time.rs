//! Timestamp decoding for the formats vendors use: RFC 3339 with or without
//! an offset, bare dates, and Unix seconds.

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};

/// Parses a vendor timestamp: RFC 3339 (`2019-01-11T12:19:00Z`,
/// `2015-06-01T15:00:00-04:00`), a naive date-time taken as UTC
/// (`2014-03-20T21:04:31`), fractional seconds of any length, or a bare date
/// (`2017-08-08`, midnight UTC).
///
/// ```
/// use canvass_core::time::parse_timestamp;
/// let t = parse_timestamp("2015-06-01T15:00:00-04:00").unwrap();
/// assert_eq!(t.to_rfc3339(), "2015-06-01T19:00:00+00:00");
/// assert!(parse_timestamp("2020-02-27T05:35:51.9364193Z").is_some());
/// assert!(parse_timestamp("not a date").is_none());
/// ```
pub fn parse_timestamp(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.with_timezone(&Utc));
    }
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(text, fmt) {
            return Some(Utc.from_utc_datetime(&t));
        }
    }
    if let Ok(t) = DateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f%#z") {
        return Some(t.with_timezone(&Utc));
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| Utc.from_utc_datetime(&t))
}

/// Converts Unix seconds (Mobilize) to a UTC time; `None` when out of range.
///
/// ```
/// use canvass_core::time::from_unix;
/// assert_eq!(from_unix(1536588703).unwrap().to_rfc3339(), "2018-09-10T14:11:43+00:00");
/// ```
pub fn from_unix(seconds: i64) -> Option<DateTime<Utc>> {
    Utc.timestamp_opt(seconds, 0).single()
}

/// Reads an optional timestamp field of a vendor record: blank or missing is
/// `None`; text that is not a timestamp is `None` too, with a warning (not a
/// skip) in `issues` naming the record and the field, so the record is kept
/// and the bad value is reported.
///
/// ```
/// use canvass_core::EntityKind;
/// use canvass_core::time::timestamp_field;
/// let mut issues = Vec::new();
/// let kind = EntityKind::People;
/// assert!(timestamp_field(Some("2024-05-01T00:00:00Z"), "17", &kind, "created_at", &mut issues).is_some());
/// assert!(timestamp_field(Some("  "), "17", &kind, "created_at", &mut issues).is_none());
/// assert!(issues.is_empty());
/// assert!(timestamp_field(Some("yesterday"), "17", &kind, "created_at", &mut issues).is_none());
/// assert_eq!((issues[0].record.as_str(), issues[0].field.as_str()), ("17", "created_at"));
/// assert!(!issues[0].skipped);
/// ```
pub fn timestamp_field(
    text: Option<&str>,
    record: &str,
    kind: &crate::EntityKind,
    field: &str,
    issues: &mut Vec<crate::RecordIssue>,
) -> Option<DateTime<Utc>> {
    let text = text.filter(|t| !t.trim().is_empty())?;
    let parsed = parse_timestamp(text);
    if parsed.is_none() {
        issues.push(crate::RecordIssue::new(
            record,
            kind,
            field,
            format!("not a timestamp: {text:?}"),
            false,
        ));
    }
    parsed
}
