//! Rows as JSON, built on the client from PostgreSQL's binary values.
//!
//! Every column comes along (`t.*`), so a column a fork of Spoke adds is
//! kept in the record's raw JSON and `extra` rather than lost. Building the
//! JSON here, from typed values, is several times cheaper than asking the
//! server for `to_jsonb(row)` on large tables.

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, Timelike, Utc};
use serde_json::{Map, Number, Value};
use tokio_postgres::Row;
use tokio_postgres::types::{FromSql, Kind, Type};

/// Any value's raw bytes (for enum labels, whose binary form is their text).
struct RawBytes<'a>(&'a [u8]);

impl<'a> FromSql<'a> for RawBytes<'a> {
    fn from_sql(_: &Type, raw: &'a [u8]) -> Result<Self, Box<dyn std::error::Error + Sync + Send>> {
        Ok(RawBytes(raw))
    }

    fn accepts(_: &Type) -> bool {
        true
    }
}

fn get<'a, T: FromSql<'a>>(row: &'a Row, i: usize) -> Option<T> {
    row.try_get::<_, Option<T>>(i).ok().flatten()
}

/// Appends `n` as exactly `width` digits (zero-padded; `n` fits).
fn push_digits(out: &mut String, mut n: u32, width: usize) {
    let mut buf = [b'0'; 6];
    for slot in buf[..width].iter_mut().rev() {
        *slot = b'0' + (n % 10) as u8;
        n /= 10;
    }
    for b in &buf[..width] {
        out.push(char::from(*b));
    }
}

/// RFC 3339 in UTC with microseconds (PostgreSQL's precision), written
/// digit by digit: the general formatter cost more than the rest of a row.
fn rfc3339(t: &DateTime<Utc>) -> String {
    let year = t.year();
    if !(0..=9999).contains(&year) {
        return t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    }
    let mut out = String::with_capacity(27);
    push_digits(&mut out, year as u32, 4);
    out.push('-');
    push_digits(&mut out, t.month(), 2);
    out.push('-');
    push_digits(&mut out, t.day(), 2);
    out.push('T');
    push_digits(&mut out, t.hour(), 2);
    out.push(':');
    push_digits(&mut out, t.minute(), 2);
    out.push(':');
    push_digits(&mut out, t.second().min(59), 2);
    out.push('.');
    push_digits(&mut out, (t.nanosecond() / 1000).min(999_999), 6);
    out.push('Z');
    out
}

fn value(row: &Row, i: usize, ty: &Type) -> Value {
    let v = match *ty {
        Type::BOOL => get::<bool>(row, i).map(Value::Bool),
        Type::INT2 => get::<i16>(row, i).map(Value::from),
        Type::INT4 => get::<i32>(row, i).map(Value::from),
        Type::INT8 => get::<i64>(row, i).map(Value::from),
        Type::OID => get::<u32>(row, i).map(Value::from),
        Type::FLOAT4 => get::<f32>(row, i)
            .and_then(|f| Number::from_f64(f64::from(f)))
            .map(Value::Number),
        Type::FLOAT8 => get::<f64>(row, i)
            .and_then(Number::from_f64)
            .map(Value::Number),
        Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::UNKNOWN => {
            get::<String>(row, i).map(Value::String)
        }
        Type::JSON | Type::JSONB => get::<Value>(row, i),
        Type::TIMESTAMPTZ => get::<DateTime<Utc>>(row, i).map(|t| Value::String(rfc3339(&t))),
        Type::TIMESTAMP => get::<NaiveDateTime>(row, i)
            .map(|t| Value::String(t.format("%Y-%m-%dT%H:%M:%S%.f").to_string())),
        Type::DATE => get::<NaiveDate>(row, i).map(|d| Value::String(d.to_string())),
        Type::TEXT_ARRAY | Type::VARCHAR_ARRAY => {
            get::<Vec<Option<String>>>(row, i).map(Value::from)
        }
        Type::INT4_ARRAY => get::<Vec<Option<i32>>>(row, i).map(Value::from),
        Type::INT8_ARRAY => get::<Vec<Option<i64>>>(row, i).map(Value::from),
        _ if matches!(ty.kind(), Kind::Enum(_)) => get::<RawBytes>(row, i)
            .map(|b| Value::String(String::from_utf8_lossy(b.0).into_owned())),
        // A type canvass has no JSON form for (numeric, uuid, geometry...):
        // the column is named, its value left out.
        _ => None,
    };
    v.unwrap_or(Value::Null)
}

/// Columns `from..` of `row` as a JSON object keyed by column name.
pub(crate) fn row_to_json(row: &Row, from: usize) -> Value {
    let mut map = Map::new();
    for (i, column) in row.columns().iter().enumerate().skip(from) {
        map.insert(column.name().to_string(), value(row, i, column.type_()));
    }
    Value::Object(map)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn timestamps_are_rfc3339_with_microseconds_and_parse_back() {
        let t = Utc.with_ymd_and_hms(2024, 3, 1, 12, 0, 5).unwrap()
            + chrono::Duration::microseconds(42);
        let text = rfc3339(&t);
        assert_eq!(text, "2024-03-01T12:00:05.000042Z");
        assert_eq!(DateTime::parse_from_rfc3339(&text).unwrap(), t);
    }
}
