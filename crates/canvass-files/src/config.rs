//! The `kind = "csv"` configuration and its connector factory.
//!
//! A file named `*.xlsx` (or `.xlsm`, `.xlsb`, `.xls`, `.ods`) is read as a
//! spreadsheet ([`crate::sheet`]): its first visible sheet, or the one
//! `sheet` names, with the same `columns` map.
//!
//! ```toml
//! [sources.signins]
//! kind = "csv"
//! path = "exports/sign-in-*.csv"      # one file, or a wildcard in the file name
//! # path = "sign-ins.xlsx"            # a spreadsheet works the same way
//! # sheet = "Sign-ins"                # its sheet (default: the first)
//! system = "signins"                  # the system name in every SourceRef
//! entity = "attendances"              # what a row is: people, attendances, taggings, opt_outs, messages
//! event = "Canvass launch"            # the one event of a sign-in sheet (or map an `event` column)
//!
//! [sources.signins.columns]           # header name -> canonical field
//! "First Name" = "given_name"
//! "Last Name" = "family_name"
//! "Email" = "email"
//! "Cell" = "mobile_phone"
//! "Tags" = "tags"
//! ```

use std::collections::BTreeMap;

use canvass_core::registry::{SecretSource, decode_config};
use canvass_core::{Channel, Connector, EntityKind, Error};
use serde::{Deserialize, Serialize};

use crate::connector::CsvConnector;

/// The connector kind in configuration files.
pub const KIND: &str = "csv";

/// A canonical field a column (of a CSV file or a sheet) can map to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// The row's own id (a member or voter id). Without it, rows are
    /// identified by file name and line (`signins.csv:14`).
    Id,
    /// First name.
    GivenName,
    /// Middle name.
    MiddleName,
    /// Last name.
    FamilyName,
    /// A whole name in one cell (`"Ana Núñez"`): the last word is the last name.
    FullName,
    /// An email address.
    Email,
    /// A phone number of unknown kind.
    Phone,
    /// A mobile phone number.
    MobilePhone,
    /// Street address (first line).
    Street,
    /// City.
    City,
    /// State or region code.
    State,
    /// Postal (ZIP) code.
    Zip,
    /// Country code.
    Country,
    /// Date of birth.
    BirthDate,
    /// Tags, separated by any of the config's `tag_separators`.
    Tags,
    /// The event the row is about (its name; the event's id is derived from it).
    Event,
    /// When the event starts.
    EventDate,
    /// RSVP or attendance status (`yes`, `attended`, `no show`, `cancelled`, …).
    RsvpStatus,
    /// Opt-out flag (`yes`, `x`, `true`, `STOP`, …; empty or `no` is not an opt-out).
    OptOut,
    /// Why the person opted out (`wrong number`, …).
    OptOutReason,
    /// A message's text.
    Message,
    /// When the row happened (message sent, opt-out, sign-in).
    Date,
    /// Read and kept in the raw JSON only.
    Ignore,
}

impl Field {
    /// Whether the field says something about the person of the row.
    pub fn is_person(self) -> bool {
        matches!(
            self,
            Field::GivenName
                | Field::MiddleName
                | Field::FamilyName
                | Field::FullName
                | Field::Email
                | Field::Phone
                | Field::MobilePhone
        )
    }
}

/// What one row of the file is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RowEntity {
    /// A person (a contact list, a voter-contact export).
    #[default]
    People,
    /// A person's RSVP or sign-in at an event (needs an `event` column or key).
    Attendances,
    /// A person with tags (needs a `tags` column).
    Taggings,
    /// A person who opted out (every row is an opt-out).
    OptOuts,
    /// A message to or from a person (needs a `message` column).
    Messages,
}

impl RowEntity {
    /// The entity kind the row stands for; structural problems with a row
    /// (a wrong number of fields) are reported under it.
    pub fn kind(self) -> EntityKind {
        match self {
            RowEntity::People => EntityKind::People,
            RowEntity::Attendances => EntityKind::Attendances,
            RowEntity::Taggings => EntityKind::Taggings,
            RowEntity::OptOuts => EntityKind::OptOuts,
            RowEntity::Messages => EntityKind::Messages,
        }
    }
}

fn default_system() -> String {
    KIND.into()
}

fn default_separators() -> String {
    ";,|".into()
}

fn default_page_size() -> usize {
    1000
}

fn default_channel() -> Channel {
    Channel::Sms
}

/// A file source's configuration (CSV files, or spreadsheets).
///
/// ```
/// let config: canvass_files::Config = serde_json::from_value(serde_json::json!({
///     "path": "signins.csv",
///     "entity": "attendances",
///     "event": "Canvass launch",
///     "columns": {"Name": "full_name", "Email": "email"}
/// })).unwrap();
/// assert_eq!(config.system, "csv");
/// assert!(config.validate().is_ok());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// A file, or a wildcard pattern (`*`, `?`) in the file name
    /// (`exports/thrutext-*.csv`); matching files are read in name order.
    /// A file whose name ends in `.xlsx`, `.xlsm`, `.xlsb`, `.xls` or `.ods`
    /// is read as a spreadsheet ([`crate::sheet`]).
    pub path: String,
    /// For spreadsheets: the sheet to read (by name; case is ignored when
    /// no name matches exactly). Default: the first visible worksheet.
    #[serde(default)]
    pub sheet: Option<String>,
    /// The system name in every record's `SourceRef` (default `"csv"`).
    #[serde(default = "default_system")]
    pub system: String,
    /// What one row is.
    #[serde(default)]
    pub entity: RowEntity,
    /// Header name → canonical field. Columns not named here are kept in
    /// the person's custom fields and in the raw JSON.
    #[serde(default)]
    pub columns: BTreeMap<String, Field>,
    /// The one event every row is about (a sign-in sheet), when there is no
    /// `event` column.
    #[serde(default)]
    pub event: Option<String>,
    /// Characters separating tags in a `tags` cell (default `;,|`).
    #[serde(default = "default_separators")]
    pub tag_separators: String,
    /// The channel of opt-outs (default `sms`).
    #[serde(default = "default_channel")]
    pub opt_out_channel: Channel,
    /// The field delimiter (default `,`; CSV only).
    #[serde(default)]
    pub delimiter: Option<char>,
    /// The text encoding: detected when absent (a BOM, else UTF-8 when the
    /// whole file is valid UTF-8, else Windows-1252), or a WHATWG label
    /// such as `"windows-1252"` or `"utf-8"`. CSV only: a spreadsheet
    /// carries its own.
    #[serde(default)]
    pub encoding: Option<String>,
    /// Rows per page (default 1,000).
    #[serde(default = "default_page_size")]
    pub page_size: usize,
}

impl Config {
    /// A config for `path` whose rows are `entity`, with no columns yet.
    pub fn new(path: impl Into<String>, entity: RowEntity) -> Config {
        Config {
            path: path.into(),
            sheet: None,
            system: default_system(),
            entity,
            columns: BTreeMap::new(),
            event: None,
            tag_separators: default_separators(),
            opt_out_channel: default_channel(),
            delimiter: None,
            encoding: None,
            page_size: default_page_size(),
        }
    }

    /// Reads the sheet named `name` of a spreadsheet (see [`Config::sheet`]).
    pub fn sheet(mut self, name: &str) -> Config {
        self.sheet = Some(name.to_string());
        self
    }

    /// Adds a column mapping.
    pub fn column(mut self, header: &str, field: Field) -> Config {
        self.columns.insert(header.to_string(), field);
        self
    }

    /// Whether some column maps to `field`.
    pub fn maps(&self, field: Field) -> bool {
        self.columns.values().any(|f| *f == field)
    }

    /// The kinds a read can return, from the mapped columns.
    pub fn reads(&self) -> Vec<EntityKind> {
        let mut kinds = Vec::new();
        if self.columns.values().any(|f| f.is_person()) {
            kinds.push(EntityKind::People);
        }
        if self.maps(Field::Event) || self.event.is_some() {
            kinds.push(EntityKind::Events);
            kinds.push(EntityKind::Attendances);
        }
        if self.maps(Field::Tags) {
            kinds.push(EntityKind::Tags);
            kinds.push(EntityKind::Taggings);
        }
        if self.maps(Field::OptOut) || self.entity == RowEntity::OptOuts {
            kinds.push(EntityKind::OptOuts);
        }
        if self.maps(Field::Message) {
            kinds.push(EntityKind::Messages);
        }
        kinds
    }

    /// Checks the config before any file is opened.
    ///
    /// # Errors
    /// [`Error::Config`] naming the key and the fix.
    pub fn validate(&self) -> Result<(), Error> {
        let bad = |m: String| Err(Error::Config(format!("source of kind `csv`: {m}")));
        if self.path.trim().is_empty() {
            return bad("key `path` is empty; name a file such as \"signins.csv\"".into());
        }
        if self.system.trim().is_empty() {
            return bad("key `system` is empty".into());
        }
        if let Some(sheet) = &self.sheet {
            if sheet.trim().is_empty() {
                return bad("key `sheet` is empty; name a sheet or leave the key out".into());
            }
            if self.path.to_lowercase().ends_with(".csv") {
                return bad(format!(
                    "key `sheet` = {sheet:?} applies to spreadsheets (.xlsx, .xlsm, .xlsb, .xls, .ods), not to {:?}",
                    self.path
                ));
            }
        }
        if self.page_size == 0 {
            return bad("key `page_size` must be at least 1".into());
        }
        if let Some(label) = &self.encoding
            && encoding_rs::Encoding::for_label(label.as_bytes()).is_none()
        {
            return bad(format!(
                "key `encoding` = {label:?} is not an encoding; use \"utf-8\" or \"windows-1252\", or leave it out to detect"
            ));
        }
        if let Some(d) = self.delimiter
            && !d.is_ascii()
        {
            return bad(format!(
                "key `delimiter` = {d:?} must be one ASCII character"
            ));
        }
        if !self.columns.values().any(|f| f.is_person()) && self.entity != RowEntity::OptOuts {
            return bad(
                "`columns` maps no person field; map a header to given_name, family_name, full_name, email or phone".into(),
            );
        }
        let needs = match self.entity {
            RowEntity::Attendances if !self.maps(Field::Event) && self.event.is_none() => {
                Some("entity = \"attendances\" needs an `event` column or an `event` key")
            }
            RowEntity::Taggings if !self.maps(Field::Tags) => {
                Some("entity = \"taggings\" needs a column mapped to `tags`")
            }
            RowEntity::Messages if !self.maps(Field::Message) => {
                Some("entity = \"messages\" needs a column mapped to `message`")
            }
            RowEntity::OptOuts
                if !(self.maps(Field::Phone)
                    || self.maps(Field::MobilePhone)
                    || self.maps(Field::Email)) =>
            {
                Some("entity = \"opt_outs\" needs a phone or email column")
            }
            _ => None,
        };
        match needs {
            Some(m) => bad(m.into()),
            None => Ok(()),
        }
    }
}

/// Builds a CSV connector from its config section (file sources need no secrets).
///
/// # Errors
/// [`Error::Config`] for a bad config.
pub fn factory(
    config: &serde_json::Value,
    _secrets: &dyn SecretSource,
) -> Result<Box<dyn Connector>, Error> {
    let config: Config = decode_config(KIND, config)?;
    Ok(Box::new(CsvConnector::new(config)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use canvass_core::registry::MapSecrets;

    #[test]
    fn an_unknown_field_names_the_key() {
        let err = factory(
            &serde_json::json!({"path": "a.csv", "columns": {"Name": "nickname"}}),
            &MapSecrets::default(),
        )
        .err();
        assert!(
            matches!(&err, Some(Error::Config(m)) if m.contains("columns.Name") && m.contains("nickname")),
            "{err:?}"
        );
    }

    #[test]
    fn attendances_without_an_event_is_refused() {
        let c = Config::new("a.csv", RowEntity::Attendances).column("Name", Field::FullName);
        let err = c.validate().err();
        assert!(
            matches!(&err, Some(Error::Config(m)) if m.contains("event")),
            "{err:?}"
        );
        assert!(c.clone().column("Event", Field::Event).validate().is_ok());
    }

    #[test]
    fn reads_follow_the_columns() {
        let c = Config::new("a.csv", RowEntity::People)
            .column("Email", Field::Email)
            .column("Tags", Field::Tags);
        assert_eq!(
            c.reads(),
            vec![EntityKind::People, EntityKind::Tags, EntityKind::Taggings]
        );
    }

    #[test]
    fn a_sheet_for_a_csv_file_is_refused() {
        let c = Config::new("a.csv", RowEntity::People)
            .column("Email", Field::Email)
            .sheet("Sign-ins");
        assert!(matches!(c.validate(), Err(Error::Config(m)) if m.contains("sheet")));
        let mut c = c;
        c.path = "a.xlsx".into();
        assert!(c.validate().is_ok());
    }

    #[test]
    fn a_bad_encoding_label_is_refused() {
        let mut c = Config::new("a.csv", RowEntity::People).column("Email", Field::Email);
        c.encoding = Some("klingon".into());
        assert!(matches!(c.validate(), Err(Error::Config(m)) if m.contains("encoding")));
    }
}
