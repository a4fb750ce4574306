//! The simulator's routes: PostgREST-style table reads, `POST /members`,
//! `/rpc/ping`, Bearer auth.

use std::cmp::Ordering;

use canvass_core::time::parse_timestamp;
use canvass_testkit::Reply;
use canvass_testkit::sim::{AuthRule, RequestExt, Route, SharedState, Sim};
use serde_json::{Map, Value, json};
use wiremock::Request;

use super::{API_KEY, ErrorStyle, State};
use crate::filter::{Filter, FilterValue, Op};

type Shared = SharedState<State>;

const TABLES: &[&str] = &[
    "members",
    "outgoing_messages",
    "incoming_messages",
    "subscription_events",
    "broadcasts",
    "broadcasts_groups",
    "campaigns",
    "groups",
    "custom_fields",
    "members_custom_fields",
    "p2ps",
    "flows",
];

/// An error in the configured style.
fn error(style: ErrorStyle, status: u16, code: &str, message: &str, hint: Option<&str>) -> Reply {
    match style {
        ErrorStyle::Postgrest => Reply::json(
            status,
            &json!({"code": code, "message": message, "details": null, "hint": hint}),
        ),
        ErrorStyle::ErrorField => Reply::json(status, &json!({"error": message})),
        ErrorStyle::PlainText => Reply::text(status, message),
    }
}

pub(crate) async fn mount(sim: &Sim, state: Shared) {
    let s = state.clone();
    sim.control().set_auth(AuthRule {
        check: Box::new(|req| {
            req.header_str("authorization").as_deref() == Some(&format!("Bearer {API_KEY}"))
        }),
        reject: Box::new(move |_| {
            error(s.lock().error_style, 401, "PGRST301", "JWT invalid", None)
        }),
    });
    for method in ["GET", "POST"] {
        sim.route(Route::new(method, r"^/rpc/ping$"), |_| {
            Reply::json(200, &json!("pong"))
        })
        .await;
    }
    let s = state.clone();
    sim.route(Route::get(r"^/[a-z0-9_]+$"), move |req| read_table(&s, req))
        .await;
    let s = state;
    sim.route(Route::post(r"^/members$"), move |req| {
        create_member(&s, req)
    })
    .await;
}

struct Query {
    filters: Vec<Filter>,
    order: Vec<(String, bool)>,
    limit: usize,
    offset: usize,
    select: Option<Vec<String>>,
}

/// Like PostgREST's `db-max-rows`.
const MAX_ROWS: usize = 1000;

fn parse_query(req: &Request) -> Result<Query, (String, String)> {
    let mut q = Query {
        filters: vec![],
        order: vec![],
        limit: MAX_ROWS,
        offset: 0,
        select: None,
    };
    for (k, v) in req.url.query_pairs() {
        match k.as_ref() {
            "limit" => {
                q.limit = v
                    .parse::<usize>()
                    .map_err(|_| ("PGRST100".into(), format!("\"{v}\" is not a valid limit")))?
                    .min(MAX_ROWS)
            }
            "offset" => {
                q.offset = v
                    .parse()
                    .map_err(|_| ("PGRST100".into(), format!("\"{v}\" is not a valid offset")))?
            }
            "select" => q.select = Some(v.split(',').map(|c| c.trim().to_string()).collect()),
            "order" => {
                for term in v.split(',') {
                    let (col, desc) = if let Some(c) = term.strip_prefix('-') {
                        (c, true)
                    } else if let Some(c) = term.strip_suffix(".desc") {
                        (c, true)
                    } else {
                        (term.strip_suffix(".asc").unwrap_or(term), false)
                    };
                    q.order.push((col.to_string(), desc));
                }
            }
            _ => q.filters.push(Filter::parse(&k, &v).map_err(|e| {
                (
                    "PGRST100".into(),
                    format!("failed to parse filter ({k}={v}): {e}"),
                )
            })?),
        }
    }
    Ok(q)
}

/// A filter operand parsed once per request, not once per row.
struct Operand {
    text: String,
    number: Option<f64>,
    boolean: Option<bool>,
    time: Option<chrono::DateTime<chrono::Utc>>,
}

impl Operand {
    fn new(text: &str, column: &str) -> Operand {
        Operand {
            text: text.to_string(),
            number: text.parse().ok(),
            boolean: text.parse().ok(),
            time: if column.ends_with("_at") {
                parse_timestamp(text)
            } else {
                None
            },
        }
    }
}

fn compare(value: &Value, operand: &Operand, column: &str) -> Option<Ordering> {
    match value {
        Value::Number(n) => n.as_f64()?.partial_cmp(&operand.number?),
        Value::Bool(b) => Some(b.cmp(&operand.boolean?)),
        Value::String(s) => {
            if column.ends_with("_at")
                && let (Some(a), Some(b)) = (parse_timestamp(s), operand.time)
            {
                return Some(a.cmp(&b));
            }
            Some(s.as_str().cmp(operand.text.as_str()))
        }
        _ => None,
    }
}

fn like(value: &str, pattern: &str, fold: bool) -> bool {
    let (v, p) = if fold {
        (value.to_lowercase(), pattern.to_lowercase())
    } else {
        (value.to_string(), pattern.to_string())
    };
    let parts: Vec<&str> = p.split('*').collect();
    let mut rest = v.as_str();
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            match rest.strip_prefix(part) {
                Some(r) => rest = r,
                None => return false,
            }
        } else if i == parts.len() - 1 {
            return rest.ends_with(part);
        } else {
            match rest.find(part) {
                Some(pos) => rest = &rest[pos + part.len()..],
                None => return false,
            }
        }
    }
    rest.is_empty() || parts.len() > 1
}

/// A filter with its operands parsed.
struct Prepared<'a> {
    filter: &'a Filter,
    operands: Vec<Operand>,
}

impl<'a> Prepared<'a> {
    fn new(filter: &'a Filter) -> Prepared<'a> {
        let texts: Vec<&str> = match filter.value() {
            FilterValue::One(v) => vec![v.as_str()],
            FilterValue::List(items) => items.iter().map(String::as_str).collect(),
        };
        Prepared {
            filter,
            operands: texts
                .into_iter()
                .map(|t| Operand::new(t, filter.column()))
                .collect(),
        }
    }

    fn matches(&self, row: &Value) -> bool {
        let f = self.filter;
        let col = f.column();
        let value = row.get(col).unwrap_or(&Value::Null);
        let first = &self.operands[0];
        match f.op() {
            Op::In => self
                .operands
                .iter()
                .any(|o| compare(value, o, col) == Some(Ordering::Equal)),
            Op::Is => match first.text.as_str() {
                "null" => value.is_null(),
                "true" => value == &Value::Bool(true),
                "false" => value == &Value::Bool(false),
                _ => false,
            },
            Op::Like | Op::Ilike => value
                .as_str()
                .is_some_and(|s| like(s, &first.text, f.op() == Op::Ilike)),
            Op::IsDistinct => compare(value, first, col) != Some(Ordering::Equal),
            op => match compare(value, first, col) {
                None => false,
                Some(o) => match op {
                    Op::Eq => o == Ordering::Equal,
                    Op::Neq => o != Ordering::Equal,
                    Op::Gt => o == Ordering::Greater,
                    Op::Gte => o != Ordering::Less,
                    Op::Lt => o == Ordering::Less,
                    Op::Lte => o != Ordering::Greater,
                    _ => false,
                },
            },
        }
    }
}

fn compare_values(x: &Value, y: &Value, col: &str) -> Ordering {
    match (x, y) {
        // Nulls sort last ascending, as in Postgres.
        (Value::Null, Value::Null) => Ordering::Equal,
        (Value::Null, _) => Ordering::Greater,
        (_, Value::Null) => Ordering::Less,
        (Value::Number(a), Value::Number(b)) => a
            .as_f64()
            .partial_cmp(&b.as_f64())
            .unwrap_or(Ordering::Equal),
        (Value::String(a), Value::String(b)) => {
            if col.ends_with("_at")
                && let (Some(p), Some(q)) = (parse_timestamp(a), parse_timestamp(b))
            {
                return p.cmp(&q);
            }
            a.cmp(b)
        }
        (Value::Bool(a), Value::Bool(b)) => a.cmp(b),
        _ => Ordering::Equal,
    }
}

fn order_rows(a: &Value, b: &Value, order: &[(String, bool)]) -> Ordering {
    for (col, desc) in order {
        let o = compare_values(
            a.get(col).unwrap_or(&Value::Null),
            b.get(col).unwrap_or(&Value::Null),
            col,
        );
        let o = if *desc { o.reverse() } else { o };
        if o != Ordering::Equal {
            return o;
        }
    }
    Ordering::Equal
}

/// For a query ordered by `id` alone, on rows stored in `id` order: the
/// first row an `id` lower bound (`id=gt.`/`id=gte.`) lets through, or 0.
/// `None` when the query must be answered by sorting what matches.
fn by_primary_key(rows: &[Value], in_id_order: bool, q: &Query) -> Option<usize> {
    let id = |r: &Value| r.get("id").and_then(Value::as_i64);
    if !in_id_order || q.order.as_slice() != [("id".to_string(), false)] {
        return None;
    }
    let mut start = 0;
    for f in q.filters.iter().filter(|f| f.column() == "id") {
        let FilterValue::One(v) = f.value() else {
            continue;
        };
        let Ok(bound) = v.parse::<i64>() else {
            continue;
        };
        let first = match f.op() {
            Op::Gt => rows.partition_point(|r| id(r).is_some_and(|i| i <= bound)),
            Op::Gte => rows.partition_point(|r| id(r).is_some_and(|i| i < bound)),
            _ => continue,
        };
        start = start.max(first);
    }
    Some(start)
}

fn read_table(state: &Shared, req: &Request) -> Reply {
    let table = req.url.path().trim_start_matches('/');
    let s = state.lock();
    let style = s.error_style;
    if !TABLES.contains(&table) || s.withheld.contains(table) {
        return error(
            style,
            404,
            "PGRST205",
            &format!("Could not find the table 'public.{table}' in the schema cache"),
            None,
        );
    }
    let q = match parse_query(req) {
        Ok(q) => q,
        Err((code, msg)) => return error(style, 400, &code, &msg, None),
    };
    let rows = s.rows(table);
    if let Some(first) = rows.first() {
        let known = |c: &str| first.get(c).is_some();
        let unknown = q
            .filters
            .iter()
            .map(Filter::column)
            .chain(q.order.iter().map(|(c, _)| c.as_str()))
            .chain(
                q.select
                    .iter()
                    .flatten()
                    .map(String::as_str)
                    .filter(|c| *c != "*"),
            )
            .find(|c| !known(c));
        if let Some(c) = unknown {
            return error(
                style,
                400,
                "42703",
                &format!("column {table}.{c} does not exist"),
                None,
            );
        }
    }
    let prepared: Vec<Prepared<'_>> = q.filters.iter().map(Prepared::new).collect();
    let keep = |r: &&Value| prepared.iter().all(|f| f.matches(r));
    let window: Box<dyn Iterator<Item = &Value>> =
        match by_primary_key(rows, s.in_id_order(table), &q) {
            // Ordered by the primary key: read from the key as an index scan
            // would, and only as far as the page goes, so a page costs the same
            // whatever the table's size (as at PostgREST, not a full scan).
            Some(start) => Box::new(
                rows[start..]
                    .iter()
                    .filter(keep)
                    .skip(q.offset)
                    .take(q.limit),
            ),
            None => {
                let mut matched: Vec<&Value> = rows.iter().filter(keep).collect();
                if !q.order.is_empty()
                    && !matched.is_sorted_by(|a, b| order_rows(a, b, &q.order) != Ordering::Greater)
                {
                    matched.sort_by(|a, b| order_rows(a, b, &q.order));
                }
                Box::new(matched.into_iter().skip(q.offset).take(q.limit))
            }
        };
    let body: Vec<Value> = match &q.select {
        Some(cols) if !cols.iter().any(|c| c == "*") => window
            .map(|r| {
                let obj: Map<String, Value> = cols
                    .iter()
                    .map(|c| (c.clone(), r.get(c).cloned().unwrap_or(Value::Null)))
                    .collect();
                Value::Object(obj)
            })
            .collect(),
        _ => {
            let refs: Vec<&Value> = window.collect();
            return match serde_json::to_vec(&refs) {
                Ok(b) => Reply::bytes(200, b, "application/json"),
                Err(e) => error(style, 500, "XX000", &e.to_string(), None),
            };
        }
    };
    Reply::json(200, &Value::Array(body))
}

fn create_member(state: &Shared, req: &Request) -> Reply {
    let body = req.json_body();
    let mut s = state.lock();
    let style = s.error_style;
    if s.withheld.contains("members") {
        return error(
            style,
            404,
            "PGRST205",
            "Could not find the table 'public.members' in the schema cache",
            None,
        );
    }
    let Some(phone) = body["phone_number"]
        .as_str()
        .filter(|p| !p.trim().is_empty())
    else {
        return error(
            style,
            400,
            "23502",
            "null value in column \"phone_number\" violates not-null constraint",
            None,
        );
    };
    let phone = phone.to_string();
    let campaign = body["campaign_id"].as_i64().unwrap_or(super::CAMPAIGN_ID);
    if !s.rows("campaigns").iter().any(|c| c["id"] == campaign) {
        return error(
            style,
            409,
            "23503",
            "insert or update on table \"members\" violates foreign key constraint \"members_campaign_id_fkey\"",
            None,
        );
    }
    if s.rows("members")
        .iter()
        .any(|m| m["campaign_id"] == campaign && m["phone_number"] == phone.as_str())
    {
        return error(
            style,
            409,
            "23505",
            "duplicate key value violates unique constraint \"members_campaign_id_phone_number_key\"",
            None,
        );
    }
    let id = s
        .rows("members")
        .iter()
        .filter_map(|m| m["id"].as_i64())
        .max()
        .unwrap_or(0)
        .max(s.next_member)
        + 1;
    s.next_member = id;
    let now = chrono::Utc::now()
        .format("%Y-%m-%dT%H:%M:%S%.6f+00:00")
        .to_string();
    let groups: Vec<Value> = body["groups"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|g| g["name"].as_str())
        .filter_map(|n| {
            s.rows("groups")
                .iter()
                .find(|g| g["name"] == n)
                .map(|g| json!({"id": g["id"], "name": n}))
        })
        .collect();
    let member = json!({
        "id": id, "campaign_id": campaign, "phone_number": phone,
        "first_name": body["first_name"], "last_name": body["last_name"], "city": null, "state": null,
        "postal_code": body["postal_code"], "email": body["email"], "notes": null, "additional_notes": null,
        "opt_in": body["opt_in"].as_bool().unwrap_or(false), "custom": {}, "created_at": now, "updated_at": now,
        "group": groups, "carrier": null, "first_sub_id": null,
    });
    s.push("members", member.clone());
    s.writes.members_created += 1;
    Reply::json(201, &json!([member]))
}

#[cfg(test)]
mod tests {
    use super::like;

    #[test]
    fn like_patterns_use_stars() {
        assert!(like("+13125550100", "*312*", false));
        assert!(like("Ana", "an*", true));
        assert!(!like("Ana", "an*", false));
        assert!(like("abc", "abc", false));
        assert!(!like("abcd", "abc", false));
    }
}
