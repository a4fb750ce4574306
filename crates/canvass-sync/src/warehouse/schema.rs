//! The versioned warehouse schema. Each migration moves the schema from
//! version `n - 1` to `n`; both backends run the same list, with a few
//! dialect words filled in (`{json}`, `{serial}`). `docs/warehouse.md`
//! documents the result.

/// The schema version this build writes.
pub const SCHEMA_VERSION: u32 = 5;

/// The SQL dialect a migration is rendered for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    Sqlite,
    Postgres,
}

/// Migration `n` (1-based) is `MIGRATIONS[n - 1]`.
const MIGRATIONS: [&str; SCHEMA_VERSION as usize] = [V1, V2, V3, V4, V5];

/// The statements of migration `version`, rendered for `dialect`.
pub(crate) fn migration(version: u32, dialect: Dialect) -> Vec<String> {
    let Some(sql) = version
        .checked_sub(1)
        .and_then(|i| MIGRATIONS.get(i as usize))
    else {
        return Vec::new();
    };
    let (json, serial) = match dialect {
        Dialect::Sqlite => ("TEXT", "INTEGER PRIMARY KEY AUTOINCREMENT"),
        Dialect::Postgres => ("JSONB", "BIGSERIAL PRIMARY KEY"),
    };
    sql.replace("{json}", json)
        .replace("{serial}", serial)
        .split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// Version 1: records, raw JSON, checkpoints and sync runs.
const V1: &str = r#"
CREATE TABLE people (
    system TEXT NOT NULL, id TEXT NOT NULL,
    given_name TEXT, middle_name TEXT, family_name TEXT, birth_date TEXT,
    created_at TEXT, modified_at TEXT,
    data {json} NOT NULL, content_hash TEXT NOT NULL,
    PRIMARY KEY (system, id));
CREATE TABLE person_emails (
    system TEXT NOT NULL, person_id TEXT NOT NULL, position BIGINT NOT NULL,
    address TEXT NOT NULL, valid BIGINT NOT NULL, is_primary BIGINT NOT NULL, status TEXT NOT NULL,
    PRIMARY KEY (system, person_id, position));
CREATE TABLE person_phones (
    system TEXT NOT NULL, person_id TEXT NOT NULL, position BIGINT NOT NULL,
    number TEXT NOT NULL, valid BIGINT NOT NULL, kind TEXT NOT NULL, is_primary BIGINT NOT NULL,
    sms_status TEXT NOT NULL,
    PRIMARY KEY (system, person_id, position));
CREATE TABLE person_addresses (
    system TEXT NOT NULL, person_id TEXT NOT NULL, position BIGINT NOT NULL,
    line1 TEXT, line2 TEXT, locality TEXT, region TEXT, postal_code TEXT, country TEXT,
    kind TEXT, is_primary BIGINT NOT NULL,
    PRIMARY KEY (system, person_id, position));
CREATE TABLE events (
    system TEXT NOT NULL, id TEXT NOT NULL,
    title TEXT NOT NULL, starts_at TEXT, ends_at TEXT, timezone TEXT, event_type TEXT,
    venue TEXT, visibility TEXT, is_virtual BIGINT, modified_at TEXT,
    data {json} NOT NULL, content_hash TEXT NOT NULL,
    PRIMARY KEY (system, id));
CREATE TABLE shifts (
    system TEXT NOT NULL, id TEXT NOT NULL,
    event_id TEXT NOT NULL, name TEXT, starts_at TEXT, ends_at TEXT, capacity BIGINT,
    data {json} NOT NULL, content_hash TEXT NOT NULL,
    PRIMARY KEY (system, id));
CREATE TABLE attendances (
    system TEXT NOT NULL, id TEXT NOT NULL,
    person_id TEXT NOT NULL, event_id TEXT NOT NULL, shift_id TEXT, status TEXT NOT NULL,
    modified_at TEXT,
    data {json} NOT NULL, content_hash TEXT NOT NULL,
    PRIMARY KEY (system, id));
CREATE TABLE tags (
    system TEXT NOT NULL, id TEXT NOT NULL, name TEXT NOT NULL,
    data {json} NOT NULL, content_hash TEXT NOT NULL,
    PRIMARY KEY (system, id));
CREATE TABLE taggings (
    system TEXT NOT NULL, id TEXT NOT NULL,
    tag_id TEXT NOT NULL, person_id TEXT NOT NULL, modified_at TEXT,
    data {json} NOT NULL, content_hash TEXT NOT NULL,
    PRIMARY KEY (system, id));
CREATE TABLE survey_questions (
    system TEXT NOT NULL, id TEXT NOT NULL, name TEXT NOT NULL, question TEXT,
    data {json} NOT NULL, content_hash TEXT NOT NULL,
    PRIMARY KEY (system, id));
CREATE TABLE survey_responses (
    system TEXT NOT NULL, id TEXT NOT NULL,
    person_id TEXT NOT NULL, question_id TEXT NOT NULL, answer TEXT NOT NULL, option_id TEXT,
    answered_at TEXT,
    data {json} NOT NULL, content_hash TEXT NOT NULL,
    PRIMARY KEY (system, id));
CREATE TABLE messages (
    system TEXT NOT NULL, id TEXT NOT NULL,
    person_id TEXT, contact TEXT, channel TEXT NOT NULL, direction TEXT NOT NULL, body TEXT,
    sent_at TEXT, status TEXT NOT NULL, campaign TEXT,
    data {json} NOT NULL, content_hash TEXT NOT NULL,
    PRIMARY KEY (system, id));
CREATE TABLE contact_attempts (
    system TEXT NOT NULL, id TEXT NOT NULL,
    person_id TEXT, contact TEXT, channel TEXT NOT NULL, result TEXT NOT NULL,
    attempted_at TEXT, campaign TEXT,
    data {json} NOT NULL, content_hash TEXT NOT NULL,
    PRIMARY KEY (system, id));
CREATE TABLE opt_outs (
    system TEXT NOT NULL, id TEXT NOT NULL,
    person_id TEXT, channel TEXT NOT NULL, identifier TEXT NOT NULL, reason TEXT NOT NULL,
    opted_out_at TEXT,
    data {json} NOT NULL, content_hash TEXT NOT NULL,
    PRIMARY KEY (system, id));
CREATE TABLE donations (
    system TEXT NOT NULL, id TEXT NOT NULL,
    person_id TEXT, amount_minor BIGINT NOT NULL, currency TEXT NOT NULL, recurrence TEXT NOT NULL,
    received_at TEXT, modified_at TEXT,
    data {json} NOT NULL, content_hash TEXT NOT NULL,
    PRIMARY KEY (system, id));
CREATE TABLE actions (
    system TEXT NOT NULL, id TEXT NOT NULL,
    person_id TEXT, action_type TEXT NOT NULL, target_system TEXT, target_id TEXT, taken_at TEXT,
    data {json} NOT NULL, content_hash TEXT NOT NULL,
    PRIMARY KEY (system, id));
CREATE TABLE deletions (
    system TEXT NOT NULL, id TEXT NOT NULL,
    kind TEXT NOT NULL, record_id TEXT NOT NULL, deleted_at TEXT,
    data {json} NOT NULL, content_hash TEXT NOT NULL,
    PRIMARY KEY (system, id));
CREATE TABLE raw_records (
    system TEXT NOT NULL, kind TEXT NOT NULL, id TEXT NOT NULL,
    json {json} NOT NULL, content_hash TEXT NOT NULL,
    PRIMARY KEY (system, kind, id));
CREATE TABLE checkpoints (
    source TEXT NOT NULL, kind TEXT NOT NULL, checkpoint TEXT NOT NULL,
    PRIMARY KEY (source, kind));
CREATE TABLE sync_runs (
    run_id {serial},
    started_at TEXT NOT NULL, finished_at TEXT, status TEXT NOT NULL, report {json});
CREATE TABLE sync_run_counts (
    run_id BIGINT NOT NULL, source TEXT NOT NULL, kind TEXT NOT NULL,
    pages BIGINT NOT NULL, read BIGINT NOT NULL, inserted BIGINT NOT NULL, updated BIGINT NOT NULL,
    unchanged BIGINT NOT NULL, failed BIGINT NOT NULL, warnings BIGINT NOT NULL, error TEXT,
    PRIMARY KEY (run_id, source, kind));
CREATE TABLE sync_run_failures (
    run_id BIGINT NOT NULL, source TEXT NOT NULL, kind TEXT NOT NULL,
    record TEXT NOT NULL, field TEXT NOT NULL, message TEXT NOT NULL, skipped BIGINT NOT NULL);
CREATE INDEX sync_run_failures_run ON sync_run_failures (run_id, source, kind)
"#;

/// Version 2: identity resolution.
const V2: &str = r#"
CREATE TABLE identity_links (
    system TEXT NOT NULL, source_id TEXT NOT NULL, canonical_id TEXT NOT NULL,
    rule TEXT, match_key TEXT, linked_system TEXT, linked_id TEXT,
    PRIMARY KEY (system, source_id));
CREATE INDEX identity_links_canonical ON identity_links (canonical_id);
CREATE TABLE canonical_people (
    canonical_id TEXT PRIMARY KEY,
    given_name TEXT, family_name TEXT, email TEXT, phone TEXT, source_count BIGINT NOT NULL);
CREATE TABLE canonical_channel_status (
    canonical_id TEXT NOT NULL, channel TEXT NOT NULL, status TEXT NOT NULL, as_of TEXT,
    reason TEXT, source_system TEXT NOT NULL, source_id TEXT NOT NULL,
    PRIMARY KEY (canonical_id, channel))
"#;

/// Version 3: the push ledger, and indexes for push rules' lookups.
const V3: &str = r#"
CREATE TABLE push_ledger (
    idempotency_key TEXT PRIMARY KEY,
    rule TEXT NOT NULL, target TEXT NOT NULL, op {json} NOT NULL,
    status TEXT NOT NULL, outcome_id TEXT, error TEXT, attempts BIGINT NOT NULL,
    planned_at TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE INDEX push_ledger_status ON push_ledger (target, status);
CREATE INDEX attendances_person ON attendances (system, person_id);
CREATE INDEX taggings_person ON taggings (system, person_id);
CREATE INDEX opt_outs_person ON opt_outs (system, person_id);
CREATE INDEX contact_attempts_person ON contact_attempts (system, person_id);
CREATE INDEX survey_responses_person ON survey_responses (system, person_id)
"#;

/// Version 4: push locks, so two pushes to one target never run at once.
const V4: &str = r#"
CREATE TABLE push_locks (
    target TEXT PRIMARY KEY,
    holder TEXT NOT NULL, acquired_at TEXT NOT NULL, expires_at TEXT NOT NULL)
"#;

/// Version 5: each identity link keeps its match probability.
const V5: &str = r#"
ALTER TABLE identity_links ADD COLUMN score DOUBLE PRECISION
"#;

/// Tables holding synced data, in dump order with their sort keys. Run
/// bookkeeping (`sync_runs*`) is left out: it differs between runs by design.
pub(crate) const DATA_TABLES: &[(&str, &str)] = &[
    ("people", "system, id"),
    ("person_emails", "system, person_id, position"),
    ("person_phones", "system, person_id, position"),
    ("person_addresses", "system, person_id, position"),
    ("events", "system, id"),
    ("shifts", "system, id"),
    ("attendances", "system, id"),
    ("tags", "system, id"),
    ("taggings", "system, id"),
    ("survey_questions", "system, id"),
    ("survey_responses", "system, id"),
    ("messages", "system, id"),
    ("contact_attempts", "system, id"),
    ("opt_outs", "system, id"),
    ("donations", "system, id"),
    ("actions", "system, id"),
    ("deletions", "system, id"),
    ("raw_records", "system, kind, id"),
    ("checkpoints", "source, kind"),
    ("identity_links", "system, source_id"),
    ("canonical_people", "canonical_id"),
    ("canonical_channel_status", "canonical_id, channel"),
    ("push_ledger", "idempotency_key"),
];
