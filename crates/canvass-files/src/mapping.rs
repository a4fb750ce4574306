//! From one row (of a CSV file, or of a sheet read as text by
//! [`crate::sheet`]) to canonical records, and the cell parsers it uses.
//!
//! Every parser is total: it returns an error message for a cell it cannot
//! read and never panics (proptest holds it to that). A cell that cannot be
//! read is kept verbatim (in `extra`) and reported; only a row that cannot
//! make its record at all is left out.

use std::collections::BTreeMap;

use canvass_core::normalize::{clean_name, fold_name};
use canvass_core::{
    Attendance, AttendanceStatus, Channel, DeliveryStatus, Direction, Email, EntityKind, Event,
    Extra, Message, OptOut, OptOutReason, Person, PhoneKind, PostalAddress, RawRecord, Record,
    RecordIssue, SourceRef, Tag, Tagging,
};
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

use crate::config::{Config, Field, RowEntity};
use crate::phone::PhoneCache;
use crate::sheet::column_letters;

/// A stable id from free text: accents folded, lower case, runs of anything
/// but letters and digits turned into one `-`.
///
/// ```
/// use canvass_files::mapping::slug;
/// assert_eq!(slug("  Canvass Launch — Núñez Park "), "canvass-launch-nunez-park");
/// ```
pub fn slug(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for word in raw.split(|c: char| !c.is_alphanumeric()) {
        let w = fold_name(word);
        if w.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push('-');
        }
        out.push_str(&w);
    }
    out
}

/// Parses a date or date-time cell. Accepts RFC 3339, `YYYY-MM-DD`,
/// `YYYY-MM-DD HH:MM[:SS]`, `MM/DD/YYYY`, `MM/DD/YY` and `MM/DD/YYYY HH:MM[:SS]`;
/// times without a zone are taken as UTC.
///
/// ```
/// use canvass_files::mapping::parse_datetime;
/// assert_eq!(parse_datetime("3/14/2026").unwrap().to_rfc3339(), "2026-03-14T00:00:00+00:00");
/// assert!(parse_datetime("14/3/2026").is_err());
/// ```
///
/// # Errors
/// A message quoting the cell.
pub fn parse_datetime(raw: &str) -> Result<DateTime<Utc>, String> {
    let s = raw.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    for f in [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%m/%d/%Y %H:%M:%S",
        "%m/%d/%Y %H:%M",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, f) {
            return Ok(t.and_utc());
        }
    }
    parse_date(s).map(|d| d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc())
}

/// Parses a date cell (`YYYY-MM-DD`, `MM/DD/YYYY`, `MM/DD/YY`).
///
/// # Errors
/// A message quoting the cell.
pub fn parse_date(raw: &str) -> Result<NaiveDate, String> {
    let s = raw.trim();
    for f in ["%Y-%m-%d", "%m/%d/%Y"] {
        if let Ok(d) = NaiveDate::parse_from_str(s, f) {
            return Ok(d);
        }
    }
    // Two-digit years: `%y` maps 00–68 to 2000–2068 and 69–99 to 1969–1999.
    if s.rsplit('/').next().is_some_and(|y| y.len() == 2)
        && let Ok(d) = NaiveDate::parse_from_str(s, "%m/%d/%y")
    {
        return Ok(d);
    }
    Err(format!(
        "not a date: {s:?} (write 2026-03-14 or 03/14/2026)"
    ))
}

/// Parses a yes/no cell: `yes`, `y`, `true`, `1`, `x`, `✓`, `stop`,
/// `opted out`, `unsubscribed` are yes; empty, `no`, `n`, `false`, `0` are no.
///
/// # Errors
/// A message quoting any other cell.
pub fn parse_flag(raw: &str) -> Result<bool, String> {
    let s = raw.trim().to_lowercase();
    match s.as_str() {
        "yes" | "y" | "true" | "t" | "1" | "x" | "✓" | "✔" | "stop" | "opted out" | "opt out"
        | "opt-out" | "optout" | "unsubscribed" | "dnc" | "do not contact" | "do not text" => {
            Ok(true)
        }
        "" | "no" | "n" | "false" | "f" | "0" | "-" => Ok(false),
        _ => Err(format!("not yes or no: {:?}", raw.trim())),
    }
}

/// Maps an RSVP or attendance cell onto [`AttendanceStatus`]; spellings it
/// does not know become `Other` (kept, never an error).
///
/// ```
/// use canvass_core::AttendanceStatus;
/// use canvass_files::mapping::parse_status;
/// assert_eq!(parse_status("Signed in"), AttendanceStatus::Attended);
/// assert_eq!(parse_status("YES"), AttendanceStatus::Registered);
/// assert_eq!(parse_status("No-show"), AttendanceStatus::NoShow);
/// ```
pub fn parse_status(raw: &str) -> AttendanceStatus {
    let folded = slug(raw);
    match folded.as_str() {
        "yes" | "y" | "going" | "registered" | "rsvp" | "rsvpd" | "rsvped" | "signed-up"
        | "signup" => AttendanceStatus::Registered,
        "confirmed" => AttendanceStatus::Confirmed,
        "maybe" | "tentative" => AttendanceStatus::Tentative,
        "invited" => AttendanceStatus::Invited,
        "attended" | "present" | "x" | "signed-in" | "checked-in" | "came" | "here" => {
            AttendanceStatus::Attended
        }
        "no-show" | "noshow" | "absent" | "did-not-attend" => AttendanceStatus::NoShow,
        "cancelled" | "canceled" => AttendanceStatus::Cancelled,
        "no" | "n" | "declined" | "not-going" => AttendanceStatus::Declined,
        "walk-in" | "walkin" => AttendanceStatus::WalkIn,
        _ => AttendanceStatus::parse(&folded.replace('-', "_")),
    }
}

/// Maps an opt-out reason cell onto [`OptOutReason`] (empty: `Requested`).
pub fn parse_reason(raw: &str) -> OptOutReason {
    match slug(raw).as_str() {
        "" | "stop" | "requested" | "asked" | "unsubscribe" | "unsubscribed" => {
            OptOutReason::Requested
        }
        "wrong-number" | "wrong-person" | "wrong" => OptOutReason::WrongNumber,
        "blocked" | "spam" => OptOutReason::Blocked,
        "undeliverable" | "bounced" | "disconnected" | "invalid" => OptOutReason::Undeliverable,
        other => OptOutReason::parse(&other.replace('-', "_")),
    }
}

/// A US ZIP code whose leading zeros a spreadsheet dropped (it stored
/// `02134` as the number 2134, in an `.xlsx` or in the CSV it saved)
/// gets them back; any other text is returned as it is.
///
/// ```
/// use canvass_files::mapping::us_zip;
/// assert_eq!(us_zip("2134"), "02134");
/// assert_eq!(us_zip("501"), "00501");
/// assert_eq!(us_zip("53204"), "53204");
/// assert_eq!(us_zip("02134-1234"), "02134-1234");
/// assert_eq!(us_zip("12"), "12");
/// ```
pub fn us_zip(raw: &str) -> String {
    if (3..=4).contains(&raw.len()) && raw.bytes().all(|b| b.is_ascii_digit()) {
        format!("{raw:0>5}")
    } else {
        raw.to_string()
    }
}

/// Splits a tags cell on any of `separators`, trimming and dropping empties
/// and repeats (in order of first appearance).
///
/// ```
/// use canvass_files::mapping::split_tags;
/// assert_eq!(split_tags(" Volunteer; Donor ,,volunteer", ";,"), vec!["Volunteer", "Donor", "volunteer"]);
/// ```
pub fn split_tags(raw: &str, separators: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for t in raw.split(|c| separators.contains(c)) {
        if let Some(t) = clean_name(t)
            && !out.contains(&t)
        {
            out.push(t);
        }
    }
    out
}

/// Splits a whole-name cell: `"Last, First"` or `"First [Middle] Last"`.
///
/// ```
/// use canvass_files::mapping::split_full_name;
/// assert_eq!(split_full_name("Ana María Núñez"), (Some("Ana María".into()), Some("Núñez".into())));
/// assert_eq!(split_full_name("Núñez, Ana"), (Some("Ana".into()), Some("Núñez".into())));
/// assert_eq!(split_full_name("Cher"), (Some("Cher".into()), None));
/// ```
pub fn split_full_name(raw: &str) -> (Option<String>, Option<String>) {
    if let Some((last, first)) = raw.split_once(',') {
        return (clean_name(first), clean_name(last));
    }
    let Some(clean) = clean_name(raw) else {
        return (None, None);
    };
    match clean.rsplit_once(' ') {
        Some((first, last)) => (Some(first.to_string()), Some(last.to_string())),
        None => (Some(clean), None),
    }
}

/// Where a spreadsheet's table is: rows read from it are numbered as Excel
/// numbers them and its columns named by their letters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetPlace {
    /// The sheet's name.
    pub name: String,
    /// The 0-based column of the table's first column (0 is `A`).
    pub first_column: u32,
}

/// The columns of one file, resolved against its header row.
#[derive(Debug, Clone)]
pub struct Layout {
    /// The file's name (ids and messages use it).
    pub file: String,
    /// Header names as in the file.
    pub headers: Vec<String>,
    /// The field of each column (`None`: not mapped; kept as a custom field).
    pub fields: Vec<Option<Field>>,
    /// The sheet, for a spreadsheet (`None`: a CSV file).
    pub sheet: Option<SheetPlace>,
}

impl Layout {
    /// Resolves `config.columns` against `headers` (trimmed, case-insensitive).
    ///
    /// # Errors
    /// A message naming every configured header the file lacks and the
    /// headers it has.
    pub fn new(file: &str, headers: &[String], config: &Config) -> Result<Layout, String> {
        let norm = |h: &str| h.trim().to_lowercase();
        let mut fields = vec![None; headers.len()];
        let mut missing = Vec::new();
        for (want, field) in &config.columns {
            match headers.iter().position(|h| norm(h) == norm(want)) {
                Some(i) => fields[i] = Some(*field),
                None => missing.push(want.as_str()),
            }
        }
        if !missing.is_empty() {
            return Err(format!(
                "{file}: no column named {} (the header has: {})",
                missing
                    .iter()
                    .map(|m| format!("{m:?}"))
                    .collect::<Vec<_>>()
                    .join(", "),
                headers
                    .iter()
                    .map(|h| format!("{:?}", h.trim()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        Ok(Layout {
            file: file.to_string(),
            headers: headers.iter().map(|h| h.trim().to_string()).collect(),
            fields,
            sheet: None,
        })
    }

    /// The same layout, for the table of a sheet whose first column is
    /// `first_column` (0-based).
    pub fn in_sheet(mut self, name: &str, first_column: u32) -> Layout {
        self.sheet = Some(SheetPlace {
            name: name.to_string(),
            first_column,
        });
        self
    }

    /// Where a row (and one of its columns) is, as messages say it:
    /// `signins.csv line 4, column 3 ("Phone")`, or for a sheet
    /// `signins.xlsx sheet "Sign-ins" row 4, column C ("Phone")`.
    ///
    /// ```
    /// use canvass_files::mapping::Layout;
    /// use canvass_files::{Config, Field, RowEntity};
    /// let config = Config::new("signins.xlsx", RowEntity::People).column("Phone", Field::Phone);
    /// let headers = ["Name".to_string(), "Email".into(), "Phone".into()];
    /// let csv = Layout::new("signins.csv", &headers, &config).unwrap();
    /// assert_eq!(csv.at(4, Some(2)), "signins.csv line 4, column 3 (\"Phone\")");
    /// let sheet = Layout::new("signins.xlsx", &headers, &config).unwrap().in_sheet("Sign-ins", 0);
    /// assert_eq!(sheet.at(4, Some(2)), "signins.xlsx sheet \"Sign-ins\" row 4, column C (\"Phone\")");
    /// ```
    pub fn at(&self, line: u64, column: Option<usize>) -> String {
        let column = column.map_or_else(String::new, |i| {
            let header = self.headers.get(i).map_or("", String::as_str);
            let name = match &self.sheet {
                Some(s) => column_letters(
                    s.first_column
                        .saturating_add(u32::try_from(i).unwrap_or(u32::MAX)),
                ),
                None => (i + 1).to_string(),
            };
            format!(", column {name} ({header:?})")
        });
        match &self.sheet {
            Some(s) => format!("{} sheet {:?} row {line}{column}", self.file, s.name),
            None => format!("{} line {line}{column}", self.file),
        }
    }

    /// A row's place as JSON keys: `_file` and `_line`, or for a sheet
    /// `_file`, `_sheet` and `_row`.
    pub fn place(&self, line: u64) -> Vec<(&'static str, serde_json::Value)> {
        let mut out = vec![("_file", serde_json::Value::from(self.file.clone()))];
        match &self.sheet {
            Some(s) => {
                out.push(("_sheet", s.name.clone().into()));
                out.push(("_row", line.into()));
            }
            None => out.push(("_line", line.into())),
        }
        out
    }

    /// The column index of the first column mapped to `field`.
    pub fn column_of(&self, field: Field) -> Option<usize> {
        self.fields.iter().position(|f| *f == Some(field))
    }
}

/// One data row: its cells and where it is.
#[derive(Debug, Clone, Copy)]
pub struct Row<'a> {
    /// The cells.
    pub cells: &'a csv::StringRecord,
    /// The line the row starts on (the header is line 1), or in a sheet
    /// the row's number as Excel shows it.
    pub line: u64,
}

/// What one row gave for the kind being read.
#[derive(Debug, Default)]
pub struct RowOut {
    /// Records of the kind read.
    pub records: Vec<Record>,
    /// Their raw JSON.
    pub raw: Vec<RawRecord>,
    /// Problems, each naming file, line and column.
    pub issues: Vec<RecordIssue>,
}

/// Maps rows of one file onto canonical records of one kind.
#[derive(Debug)]
pub struct RowMapper<'a> {
    config: &'a Config,
    layout: &'a Layout,
    kind: EntityKind,
    phones: PhoneCache,
}

impl<'a> RowMapper<'a> {
    /// A mapper for rows of `layout` read as `kind`.
    pub fn new(config: &'a Config, layout: &'a Layout, kind: EntityKind) -> RowMapper<'a> {
        RowMapper {
            config,
            layout,
            kind,
            phones: PhoneCache::default(),
        }
    }

    fn cell<'r>(&self, row: &Row<'r>, field: Field) -> Option<(usize, &'r str)> {
        let i = self.layout.column_of(field)?;
        let v = row.cells.get(i)?.trim();
        (!v.is_empty()).then_some((i, v))
    }

    /// The id of the row's own record: `signins.csv:14`.
    pub fn row_id(&self, row: &Row<'_>) -> String {
        format!("{}:{}", self.layout.file, row.line)
    }

    /// The id of the row's person: the `id` column when mapped and filled,
    /// else [`RowMapper::row_id`].
    pub fn person_id(&self, row: &Row<'_>) -> String {
        match self.cell(row, Field::Id) {
            Some((_, id)) => id.to_string(),
            None => self.row_id(row),
        }
    }

    /// A problem with `row` (and `column`, an index into the header) for
    /// the kind being read, its message led by where it is ([`Layout::at`]).
    pub fn issue(
        &self,
        row: &Row<'_>,
        column: Option<usize>,
        message: &str,
        skipped: bool,
    ) -> RecordIssue {
        let field = column
            .and_then(|i| self.layout.headers.get(i).cloned())
            .unwrap_or_default();
        RecordIssue::new(
            self.row_id(row),
            &self.kind,
            field,
            format!("{}: {message}", self.layout.at(row.line, column)),
            skipped,
        )
    }

    /// The row as JSON: every header with its cell, plus where the row is
    /// ([`Layout::place`]).
    pub fn raw_json(&self, row: &Row<'_>) -> serde_json::Value {
        let mut m = serde_json::Map::with_capacity(self.layout.headers.len() + 3);
        for (h, v) in self.layout.headers.iter().zip(row.cells.iter()) {
            m.insert(h.clone(), serde_json::Value::String(v.to_string()));
        }
        for (k, v) in self.layout.place(row.line) {
            m.insert(k.into(), v);
        }
        serde_json::Value::Object(m)
    }

    fn has_person(&self, row: &Row<'_>) -> bool {
        self.layout.fields.iter().enumerate().any(|(i, f)| {
            f.is_some_and(Field::is_person) && !row.cells.get(i).unwrap_or("").trim().is_empty()
        })
    }

    /// The row's timestamp (`date` column), reporting a bad one.
    fn row_date(&self, row: &Row<'_>, issues: &mut Vec<RecordIssue>) -> Option<DateTime<Utc>> {
        let (i, v) = self.cell(row, Field::Date)?;
        match parse_datetime(v) {
            Ok(t) => Some(t),
            Err(e) => {
                issues.push(self.issue(row, Some(i), &e, false));
                None
            }
        }
    }

    /// Maps one row. A row whose cell count differs from the header's is
    /// reported (skipped) under the file's entity kind and ignored by the
    /// other kinds' reads.
    pub fn map(&self, row: &Row<'_>) -> RowOut {
        let mut out = RowOut::default();
        let expected = self.layout.headers.len();
        if row.cells.len() != expected {
            if self.kind == self.config.entity.kind() {
                out.issues.push(self.issue(
                    row,
                    None,
                    &format!(
                        "{} fields where the header has {expected}; row left out",
                        row.cells.len()
                    ),
                    true,
                ));
                out.raw.push(RawRecord {
                    source: SourceRef::new(&self.config.system, self.row_id(row)),
                    kind: self.kind.clone(),
                    json: self.raw_json(row),
                });
            }
            return out;
        }
        match self.kind {
            EntityKind::People => self.person(row, &mut out),
            EntityKind::Attendances => self.attendance(row, &mut out),
            EntityKind::Taggings => self.taggings(row, &mut out),
            EntityKind::OptOuts => self.opt_out(row, &mut out),
            EntityKind::Messages => self.message(row, &mut out),
            _ => {}
        }
        out
    }

    /// A row with no name, email or phone cannot be anyone: left out of the
    /// file's entity kind (and reported there).
    fn require_person(&self, row: &Row<'_>, out: &mut RowOut) -> bool {
        if self.has_person(row) {
            return true;
        }
        if self.kind == self.config.entity.kind() {
            out.issues.push(self.issue(
                row,
                None,
                "no name, email or phone: nobody to link the row to; row left out",
                true,
            ));
            out.raw.push(RawRecord {
                source: SourceRef::new(&self.config.system, self.row_id(row)),
                kind: self.kind.clone(),
                json: self.raw_json(row),
            });
        }
        false
    }

    fn push(&self, out: &mut RowOut, row: &Row<'_>, record: Record) {
        out.raw.push(RawRecord {
            source: record.source().clone(),
            kind: self.kind.clone(),
            json: self.raw_json(row),
        });
        out.records.push(record);
    }

    fn person_ref(&self, row: &Row<'_>) -> SourceRef {
        SourceRef::new(&self.config.system, self.person_id(row))
    }

    fn person(&self, row: &Row<'_>, out: &mut RowOut) {
        if !self.require_person(row, out) {
            return;
        }
        let mut p = Person {
            source: self.person_ref(row),
            ..Person::default()
        };
        let mut address = PostalAddress::default();
        let mut custom: BTreeMap<String, serde_json::Value> = BTreeMap::new();
        for (i, (field, value)) in self.layout.fields.iter().zip(row.cells.iter()).enumerate() {
            let v = value.trim();
            let Some(field) = field else {
                if !v.is_empty() {
                    let h = self.layout.headers.get(i).cloned().unwrap_or_default();
                    custom.insert(h, v.into());
                }
                continue;
            };
            if v.is_empty() {
                continue;
            }
            match field {
                Field::GivenName => p.given_name = p.given_name.take().or_else(|| clean_name(v)),
                Field::MiddleName => p.middle_name = clean_name(v),
                Field::FamilyName => p.family_name = p.family_name.take().or_else(|| clean_name(v)),
                Field::FullName => {
                    let (g, f) = split_full_name(v);
                    p.given_name = p.given_name.take().or(g);
                    p.family_name = p.family_name.take().or(f);
                }
                Field::Email => {
                    let mut e = Email::parse(v);
                    if !e.valid {
                        out.issues.push(self.issue(
                            row,
                            Some(i),
                            &format!("not a valid email address: {v:?}; kept as written"),
                            false,
                        ));
                    }
                    e.primary = p.emails.is_empty();
                    p.emails.push(e);
                }
                Field::Phone | Field::MobilePhone => {
                    let kind = if *field == Field::MobilePhone {
                        PhoneKind::Mobile
                    } else {
                        PhoneKind::Unknown
                    };
                    let mut ph = self.phones.parse(v, kind);
                    if !ph.valid {
                        out.issues.push(self.issue(
                            row,
                            Some(i),
                            &format!("not a valid phone number: {v:?}; kept as written"),
                            false,
                        ));
                    }
                    ph.primary = p.phones.is_empty();
                    p.phones.push(ph);
                }
                Field::Street => address.lines.push(v.to_string()),
                Field::City => address.locality = Some(v.to_string()),
                Field::State => address.region = Some(v.to_uppercase()),
                Field::Zip => address.postal_code = Some(v.to_string()),
                Field::Country => address.country = Some(v.to_uppercase()),
                Field::BirthDate => match parse_date(v) {
                    Ok(d) => p.birth_date = Some(d),
                    Err(e) => {
                        out.issues.push(self.issue(
                            row,
                            Some(i),
                            &format!("{e}; kept in extra"),
                            false,
                        ));
                        p.extra.insert("birth_date".into(), v.into());
                    }
                },
                _ => {}
            }
        }
        let us = address
            .country
            .as_deref()
            .is_none_or(|c| matches!(c, "US" | "USA" | "UNITED STATES"));
        if us && let Some(zip) = &mut address.postal_code {
            *zip = us_zip(zip);
        }
        if address != PostalAddress::default() {
            address.primary = true;
            p.addresses.push(address);
        }
        p.custom_fields = custom;
        self.push(out, row, Record::Person(p));
    }

    /// The event of the row: its `event` cell, else the config's `event`.
    pub fn event_name<'r>(&'r self, row: &Row<'r>) -> Option<&'r str> {
        self.cell(row, Field::Event)
            .map(|(_, v)| v)
            .or(self.config.event.as_deref())
    }

    fn attendance(&self, row: &Row<'_>, out: &mut RowOut) {
        if !self.require_person(row, out) {
            return;
        }
        let Some(event) = self.event_name(row).map(slug).filter(|s| !s.is_empty()) else {
            if self.kind == self.config.entity.kind() {
                let col = self.layout.column_of(Field::Event);
                out.issues
                    .push(self.issue(row, col, "no event named; row left out", true));
            }
            return;
        };
        let status = match self.cell(row, Field::RsvpStatus) {
            Some((_, v)) => parse_status(v),
            // A sign-in sheet: being on it means having come.
            None if self.config.entity == RowEntity::Attendances => AttendanceStatus::Attended,
            None => AttendanceStatus::Registered,
        };
        let person = self.person_ref(row);
        let mut extra = Extra::new();
        for (k, v) in self.layout.place(row.line) {
            extra.insert(k.trim_start_matches('_').into(), v);
        }
        let modified_at = self.row_date(row, &mut out.issues);
        let a = Attendance {
            source: SourceRef::new(&self.config.system, format!("{}/{event}", person.id)),
            modified_at,
            person,
            event: SourceRef::new(&self.config.system, event),
            shift: None,
            status,
            extra,
        };
        self.push(out, row, Record::Attendance(a));
    }

    /// The event record for the row's event (reads of `events` dedupe them).
    pub fn event(&self, row: &Row<'_>, out: &mut RowOut) -> Option<String> {
        if row.cells.len() != self.layout.headers.len() {
            return None;
        }
        let name = self.event_name(row)?;
        let id = slug(name);
        if id.is_empty() {
            return None;
        }
        let starts_at = match self.cell(row, Field::EventDate) {
            Some((i, v)) => match parse_datetime(v) {
                Ok(t) => Some(t),
                Err(e) => {
                    out.issues.push(self.issue(row, Some(i), &e, false));
                    None
                }
            },
            None => None,
        };
        let e = Event {
            source: SourceRef::new(&self.config.system, id.clone()),
            modified_at: None,
            title: clean_name(name).unwrap_or_else(|| name.to_string()),
            description: None,
            starts_at,
            ends_at: None,
            timezone: None,
            event_type: None,
            location: None,
            venue: None,
            visibility: None,
            is_virtual: None,
            tags: Vec::new(),
            browser_url: None,
            extra: Extra::new(),
        };
        let mut json = serde_json::Map::new();
        json.insert("name".into(), name.into());
        for (k, v) in self.layout.place(row.line) {
            // Where the event is first named.
            let k = match k {
                "_line" => "_first_line",
                "_row" => "_first_row",
                k => k,
            };
            json.insert(k.into(), v);
        }
        out.raw.push(RawRecord {
            source: e.source.clone(),
            kind: EntityKind::Events,
            json: serde_json::Value::Object(json),
        });
        out.records.push(Record::Event(e));
        Some(id)
    }

    /// The row's tags (reads of `tags` dedupe them).
    pub fn tag_names(&self, row: &Row<'_>) -> Vec<String> {
        if row.cells.len() != self.layout.headers.len() {
            return Vec::new();
        }
        self.layout
            .fields
            .iter()
            .zip(row.cells.iter())
            .filter(|(f, _)| **f == Some(Field::Tags))
            .flat_map(|(_, v)| split_tags(v, &self.config.tag_separators))
            .collect()
    }

    /// A tag record named `name`.
    pub fn tag(&self, name: &str, out: &mut RowOut) {
        let t = Tag {
            source: SourceRef::new(&self.config.system, slug(name)),
            name: name.to_string(),
            extra: Extra::new(),
        };
        out.raw.push(RawRecord {
            source: t.source.clone(),
            kind: EntityKind::Tags,
            json: serde_json::json!({"name": name}),
        });
        out.records.push(Record::Tag(t));
    }

    fn taggings(&self, row: &Row<'_>, out: &mut RowOut) {
        let tags = self.tag_names(row);
        if tags.is_empty() {
            if self.kind == self.config.entity.kind() && self.has_person(row) {
                let col = self.layout.column_of(Field::Tags);
                out.issues
                    .push(self.issue(row, col, "no tags; nothing to apply", false));
            }
            return;
        }
        if !self.require_person(row, out) {
            return;
        }
        let person = self.person_ref(row);
        let modified_at = self.row_date(row, &mut out.issues);
        for name in tags {
            let tag = slug(&name);
            if tag.is_empty() {
                continue;
            }
            let t = Tagging {
                source: SourceRef::new(&self.config.system, format!("{}/{tag}", person.id)),
                modified_at,
                tag: SourceRef::new(&self.config.system, tag),
                person: person.clone(),
                extra: Extra::new(),
            };
            self.push(out, row, Record::Tagging(t));
        }
    }

    fn opt_out(&self, row: &Row<'_>, out: &mut RowOut) {
        let every_row = self.config.entity == RowEntity::OptOuts;
        let flagged = match self.cell(row, Field::OptOut) {
            Some((i, v)) => match parse_flag(v) {
                Ok(b) => b,
                Err(e) => {
                    out.issues.push(self.issue(
                        row,
                        Some(i),
                        &format!("{e}; not taken as an opt-out"),
                        false,
                    ));
                    false
                }
            },
            None => every_row,
        };
        if !flagged {
            return;
        }
        if !self.require_person(row, out) {
            return;
        }
        let channel = self.config.opt_out_channel.clone();
        let contact = if channel == Channel::Email {
            self.cell(row, Field::Email)
                .map(|(_, v)| Email::parse(v).address)
        } else {
            self.cell(row, Field::MobilePhone)
                .or_else(|| self.cell(row, Field::Phone))
                .map(|(_, v)| self.phones.parse(v, PhoneKind::Unknown).number)
        };
        let Some(identifier) = contact else {
            let skipped = self.kind == self.config.entity.kind() || every_row;
            out.issues.push(self.issue(
                row,
                None,
                &format!(
                    "an opt-out with no {} to opt out; left out",
                    channel.as_str()
                ),
                skipped,
            ));
            return;
        };
        let reason = self
            .cell(row, Field::OptOutReason)
            .map(|(_, v)| parse_reason(v))
            .unwrap_or(OptOutReason::Requested);
        let person = self.person_ref(row);
        let opted_out_at = self.row_date(row, &mut out.issues);
        let o = OptOut {
            source: SourceRef::new(
                &self.config.system,
                format!("{}/{}", person.id, channel.as_str()),
            ),
            person: Some(person),
            channel,
            identifier,
            reason,
            opted_out_at,
            extra: Extra::new(),
        };
        self.push(out, row, Record::OptOut(o));
    }

    fn message(&self, row: &Row<'_>, out: &mut RowOut) {
        let Some((_, body)) = self.cell(row, Field::Message) else {
            return;
        };
        let person = self.has_person(row).then(|| self.person_ref(row));
        let contact = self
            .cell(row, Field::MobilePhone)
            .or_else(|| self.cell(row, Field::Phone))
            .map(|(_, v)| self.phones.parse(v, PhoneKind::Unknown).number);
        let sent_at = self.row_date(row, &mut out.issues);
        let m = Message {
            source: SourceRef::new(&self.config.system, self.row_id(row)),
            person,
            contact,
            channel: Channel::Sms,
            direction: Direction::Outbound,
            body: Some(body.to_string()),
            sent_at,
            status: DeliveryStatus::Sent,
            campaign: self.config.event.clone(),
            extra: Extra::new(),
        };
        self.push(out, row, Record::Message(m));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn parsers_never_panic(s in "\\PC{0,40}") {
            let _ = parse_datetime(&s);
            let _ = parse_flag(&s);
            let _ = parse_status(&s);
            let _ = parse_reason(&s);
            let _ = split_full_name(&s);
            let _ = split_tags(&s, ";,|");
        }

        #[test]
        fn slugs_are_idempotent_and_tidy(s in "\\PC{0,40}") {
            let once = slug(&s);
            prop_assert_eq!(slug(&once), once.clone());
            prop_assert!(!once.starts_with('-') && !once.ends_with('-') && !once.contains("--"));
        }

        #[test]
        fn us_dates_round_trip(y in 1900i32..2100, m in 1u32..13, d in 1u32..29) {
            let want = NaiveDate::from_ymd_opt(y, m, d);
            prop_assert_eq!(parse_date(&format!("{m}/{d}/{y}")).ok(), want);
            prop_assert_eq!(parse_date(&format!("{y:04}-{m:02}-{d:02}")).ok(), want);
        }

        #[test]
        fn tags_are_trimmed_unique_and_never_empty(parts in proptest::collection::vec("[ A-Za-z]{0,8}", 0..6)) {
            let tags = split_tags(&parts.join(";"), ";");
            for t in &tags {
                prop_assert!(!t.is_empty() && t.trim() == t);
            }
            let unique: std::collections::BTreeSet<_> = tags.iter().collect();
            prop_assert_eq!(unique.len(), tags.len());
        }

        #[test]
        fn a_two_word_name_splits_into_its_words(g in "[A-Z][a-z]{1,8}", f in "[A-Z][a-z]{1,8}") {
            prop_assert_eq!(split_full_name(&format!(" {g}  {f} ")), (Some(g.clone()), Some(f.clone())));
            prop_assert_eq!(split_full_name(&format!("{f}, {g}")), (Some(g), Some(f)));
        }
    }

    #[test]
    fn flags() {
        for yes in ["Yes", " x ", "TRUE", "STOP", "1"] {
            assert_eq!(parse_flag(yes), Ok(true), "{yes}");
        }
        for no in ["", "no", "N", "0"] {
            assert_eq!(parse_flag(no), Ok(false), "{no}");
        }
        assert!(parse_flag("perhaps").is_err());
    }
}
