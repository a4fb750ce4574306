//! PostgREST filters (`column=op.value`), built safely.
//!
//! User input never becomes query syntax:
//!
//! - column names are checked (letters, digits and `_`, not a reserved
//!   parameter such as `select`, `order` or `or`), so a value cannot pick the
//!   column it filters;
//! - a top-level filter's value is *everything* after `op.` in PostgREST's
//!   grammar, so it is sent verbatim and the URL layer percent-encodes it
//!   (`&`, `=`, `#`, `%`, `+` and spaces cannot end the parameter);
//! - inside an `in.(…)` list, where `,` `(` `)` separate items, every item
//!   holding a reserved character (`,.:()"\`, whitespace) or empty is
//!   double-quoted with `\` escapes, so an item can never split into two or
//!   close the list.
//!
//! [`Filter::parse`] reads a parameter back as PostgREST does; the simulator
//! uses it, and a property test checks that no value can inject a filter.
//!
//! ```
//! use canvass_strive::filter::{Filter, Op};
//! let f = Filter::new("updated_at", Op::Gt, "2024-05-01T12:00:00.5+00:00").unwrap();
//! assert_eq!(f.to_param(), ("updated_at".into(), "gt.2024-05-01T12:00:00.5+00:00".into()));
//! let f = Filter::in_list("last_name", ["Hebdon,John", "O\"Brien"]).unwrap();
//! assert_eq!(f.to_param().1, r#"in.("Hebdon,John","O\"Brien")"#);
//! assert!(Filter::new("name&id", Op::Eq, "x").is_err());
//! ```

use canvass_core::Error;

/// A PostgREST comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Op {
    /// `=`
    Eq,
    /// `<>`
    Neq,
    /// `>`
    Gt,
    /// `>=`
    Gte,
    /// `<`
    Lt,
    /// `<=`
    Lte,
    /// `LIKE`, with `*` as the wildcard.
    Like,
    /// `ILIKE`, with `*` as the wildcard.
    Ilike,
    /// `IS` (`null`, `true`, `false`, `unknown`).
    Is,
    /// `IS DISTINCT FROM`.
    IsDistinct,
    /// `IN (…)`; build it with [`Filter::in_list`].
    In,
}

impl Op {
    /// Every operator.
    pub const ALL: [Op; 11] = [
        Op::Eq,
        Op::Neq,
        Op::Gt,
        Op::Gte,
        Op::Lt,
        Op::Lte,
        Op::Like,
        Op::Ilike,
        Op::Is,
        Op::IsDistinct,
        Op::In,
    ];

    /// The operator as written in a URL.
    pub fn as_str(self) -> &'static str {
        match self {
            Op::Eq => "eq",
            Op::Neq => "neq",
            Op::Gt => "gt",
            Op::Gte => "gte",
            Op::Lt => "lt",
            Op::Lte => "lte",
            Op::Like => "like",
            Op::Ilike => "ilike",
            Op::Is => "is",
            Op::IsDistinct => "isdistinct",
            Op::In => "in",
        }
    }

    /// Parses an operator's URL form.
    pub fn parse(s: &str) -> Option<Op> {
        Op::ALL.into_iter().find(|o| o.as_str() == s)
    }
}

/// A filter's value: one, or a list for `in`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FilterValue {
    /// One value.
    One(String),
    /// The items of an `in.(…)` list.
    List(Vec<String>),
}

/// One PostgREST filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    column: String,
    op: Op,
    value: FilterValue,
}

/// Query parameters that are not filters.
pub const RESERVED_PARAMS: &[&str] = &[
    "select",
    "order",
    "limit",
    "offset",
    "or",
    "and",
    "not",
    "on_conflict",
    "columns",
];

/// Whether `column` is a plain column name this builder will send.
pub fn valid_column(column: &str) -> bool {
    !column.is_empty()
        && column.len() <= 63
        && column
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_')
        && !column.as_bytes()[0].is_ascii_digit()
        && !RESERVED_PARAMS.contains(&column)
}

fn check_column(column: &str) -> Result<(), Error> {
    if valid_column(column) {
        Ok(())
    } else {
        Err(Error::invalid_input(
            "filter.column",
            format!(
                "{column:?} is not a column name (letters, digits and _ only; not a reserved parameter)"
            ),
        ))
    }
}

/// Whether an `in` list item must be double-quoted.
fn needs_quotes(item: &str) -> bool {
    item.is_empty()
        || item
            .chars()
            .any(|c| matches!(c, ',' | '.' | ':' | '(' | ')' | '"' | '\\') || c.is_whitespace())
}

/// Quotes one `in` list item when it holds a reserved character.
///
/// ```
/// use canvass_strive::filter::quote_item;
/// assert_eq!(quote_item("GA"), "GA");
/// assert_eq!(quote_item("a,b"), r#""a,b""#);
/// assert_eq!(quote_item(r#"say "hi"\"#), r#""say \"hi\"\\""#);
/// ```
pub fn quote_item(item: &str) -> String {
    if !needs_quotes(item) {
        return item.to_string();
    }
    let mut out = String::with_capacity(item.len() + 2);
    out.push('"');
    for c in item.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

impl Filter {
    /// `column=op.value`.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a bad column name, for `in` (use
    /// [`Filter::in_list`]) and for an `is` value other than `null`, `true`,
    /// `false` or `unknown`.
    pub fn new(column: &str, op: Op, value: impl Into<String>) -> Result<Filter, Error> {
        check_column(column)?;
        let value = value.into();
        match op {
            Op::In => Err(Error::invalid_input(
                "filter.op",
                "build `in` filters with Filter::in_list",
            )),
            Op::Is if !matches!(value.as_str(), "null" | "true" | "false" | "unknown") => {
                Err(Error::invalid_input(
                    "filter.value",
                    format!("`is` takes null, true, false or unknown, not {value:?}"),
                ))
            }
            _ => Ok(Filter {
                column: column.to_string(),
                op,
                value: FilterValue::One(value),
            }),
        }
    }

    /// `column=in.(a,b,…)`, each item quoted as needed.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a bad column name or an empty list.
    pub fn in_list<I, S>(column: &str, values: I) -> Result<Filter, Error>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        check_column(column)?;
        let values: Vec<String> = values.into_iter().map(Into::into).collect();
        if values.is_empty() {
            return Err(Error::invalid_input(
                "filter.value",
                "an `in` list needs at least one value",
            ));
        }
        Ok(Filter {
            column: column.to_string(),
            op: Op::In,
            value: FilterValue::List(values),
        })
    }

    /// The column.
    pub fn column(&self) -> &str {
        &self.column
    }

    /// The operator.
    pub fn op(&self) -> Op {
        self.op
    }

    /// The value.
    pub fn value(&self) -> &FilterValue {
        &self.value
    }

    /// The query parameter: (column, `op.value`), not yet percent-encoded
    /// (the URL layer does that).
    pub fn to_param(&self) -> (String, String) {
        let value = match &self.value {
            FilterValue::One(v) => format!("{}.{v}", self.op.as_str()),
            FilterValue::List(items) => {
                let inner: Vec<String> = items.iter().map(|i| quote_item(i)).collect();
                format!("{}.({})", self.op.as_str(), inner.join(","))
            }
        };
        (self.column.clone(), value)
    }

    /// Reads a decoded query parameter as PostgREST does.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a bad column, an unknown operator or a
    /// malformed list.
    pub fn parse(key: &str, value: &str) -> Result<Filter, Error> {
        check_column(key)?;
        let (op, rest) = value
            .split_once('.')
            .ok_or_else(|| Error::invalid_input(key, format!("{value:?} is not `op.value`")))?;
        let op = Op::parse(op)
            .ok_or_else(|| Error::invalid_input(key, format!("unknown operator {op:?}")))?;
        if op == Op::In {
            let items = parse_list(rest)
                .ok_or_else(|| Error::invalid_input(key, format!("malformed list {rest:?}")))?;
            Filter::in_list(key, items)
        } else {
            Filter::new(key, op, rest)
        }
    }
}

/// Parses `(a,"b,c",d)` into its items, unquoting quoted ones.
fn parse_list(text: &str) -> Option<Vec<String>> {
    let inner = text.strip_prefix('(')?.strip_suffix(')')?;
    let mut items = Vec::new();
    let mut chars = inner.chars().peekable();
    loop {
        let mut item = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            loop {
                match chars.next()? {
                    '\\' => item.push(chars.next()?),
                    '"' => break,
                    c => item.push(c),
                }
            }
            match chars.next() {
                None => {
                    items.push(item);
                    return Some(items);
                }
                Some(',') => items.push(item),
                Some(_) => return None,
            }
        } else {
            loop {
                match chars.next() {
                    None => {
                        items.push(item);
                        return Some(items);
                    }
                    Some(',') => break,
                    Some('(' | ')' | '"') => return None,
                    Some(c) => item.push(c),
                }
            }
            items.push(item);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Encodes parameters as the HTTP layer does (form-urlencoded), then
    /// reads them back as PostgREST would: every pair that is not a reserved
    /// parameter is one filter.
    fn round_trip(filters: &[Filter], extra: &[(&str, &str)]) -> Vec<Filter> {
        let mut ser = url::form_urlencoded::Serializer::new(String::new());
        for f in filters {
            let (k, v) = f.to_param();
            ser.append_pair(&k, &v);
        }
        for (k, v) in extra {
            ser.append_pair(k, v);
        }
        let query = ser.finish();
        url::form_urlencoded::parse(query.as_bytes())
            .filter(|(k, _)| !RESERVED_PARAMS.contains(&k.as_ref()))
            .map(|(k, v)| Filter::parse(&k, &v).unwrap_or_else(|e| panic!("{k}={v}: {e}")))
            .collect()
    }

    #[test]
    fn in_list_round_trips_reserved_characters() {
        let f = Filter::in_list(
            "name",
            [
                "a,b",
                "(x)",
                "say \"hi\"",
                "back\\slash",
                "",
                " lead",
                "2024-01-01T00:00:00.5",
            ],
        )
        .unwrap();
        assert_eq!(round_trip(std::slice::from_ref(&f), &[]), vec![f]);
    }

    #[test]
    fn bad_columns_and_values_are_refused() {
        for col in [
            "", "a b", "a&b", "a=b", "select", "or", "1abc", "a.b", "名前",
        ] {
            assert!(Filter::new(col, Op::Eq, "x").is_err(), "{col}");
        }
        assert!(Filter::new("opt_in", Op::Is, "true; drop").is_err());
        assert!(Filter::new("opt_in", Op::In, "x").is_err());
        assert!(Filter::in_list("id", Vec::<String>::new()).is_err());
        assert!(Filter::parse("id", "eq").is_err());
        assert!(Filter::parse("id", "between.1").is_err());
        assert!(Filter::parse("id", "in.(a,\"b)").is_err());
    }

    proptest! {
        #[test]
        fn no_value_can_inject_another_filter(
            a in "\\PC{0,24}",
            b in "[ -~]{0,24}",
            items in proptest::collection::vec("\\PC{0,12}", 1..5),
            op in proptest::sample::select(vec![Op::Eq, Op::Neq, Op::Gt, Op::Gte, Op::Lt, Op::Lte, Op::Like, Op::Ilike, Op::IsDistinct]),
        ) {
            let filters = vec![
                Filter::new("phone_number", op, a.clone()).unwrap(),
                Filter::new("first_name", Op::Eq, b.clone()).unwrap(),
                Filter::in_list("last_name", items.clone()).unwrap(),
                Filter::new("campaign_id", Op::Eq, "7").unwrap(),
            ];
            let back = round_trip(&filters, &[("limit", "10"), ("order", "id")]);
            // Exactly the filters sent: same columns, operators and values.
            prop_assert_eq!(back, filters);
        }

        #[test]
        fn quoting_never_panics_and_lists_parse_back(items in proptest::collection::vec("\\PC{0,16}", 1..6)) {
            let f = Filter::in_list("x", items.clone()).unwrap();
            let (_, v) = f.to_param();
            let parsed = Filter::parse("x", &v).unwrap();
            prop_assert_eq!(parsed.value(), &FilterValue::List(items));
        }
    }
}
