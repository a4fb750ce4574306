//! Spreadsheets (`.xlsx`, `.xlsm`, `.xlsb`, `.xls`, `.ods`) through
//! [calamine](https://docs.rs/calamine): one sheet read row by row, each
//! cell turned into the text the same cell would have in a CSV export, so
//! the CSV path's column map and row mapping ([`crate::mapping`]) serve both.
//!
//! - **Which sheet:** the config's `sheet`, else the workbook's first
//!   visible worksheet.
//! - **The header:** the first row with any cell filled; the table spans
//!   its first to its last filled column (an empty header cell in between
//!   is named by its column letter, `"D"`). A data row's cells outside those
//!   columns are reported and not read.
//! - **Cells as text** ([`cell_text`]): text as written; numbers without a
//!   spurious `.0` (`4142020792`, `53204`) and otherwise with at most the 15
//!   significant digits Excel shows; dates and times as ISO text
//!   (`2026-03-14`, `2026-03-14 10:05:00`, `10:05:00` for a time alone), which
//!   [`parse_datetime`](crate::mapping::parse_datetime) reads; booleans as
//!   `true`/`false`; an error cell (`#N/A`) is read as empty and reported.
//! - **Rows are Excel's**: row numbers in ids and messages are the 1-based
//!   numbers Excel shows; empty rows are passed over.
//!
//! **Memory.** `.xlsx`, `.xlsm` and `.xlsb` sheets are streamed cell by cell
//! from the compressed file, but opening the workbook loads its shared
//! strings (every distinct text cell of the workbook) and styles; `.xls`
//! and `.ods` sheets are loaded whole. Memory so grows with the workbook,
//! where a CSV read stays flat: right for sign-in sheets and partner
//! exports; export a sheet of hundreds of thousands of rows as CSV instead.

use std::path::Path;

use calamine::{
    DataType, ExcelDateTime, Ods, Reader, Sheet, SheetType, SheetVisible, Sheets, Xls, Xlsb, Xlsx,
    open_workbook,
};
use chrono::{NaiveDate, NaiveTime, TimeDelta, Timelike};

/// File name extensions read as spreadsheets (any case).
pub const EXTENSIONS: [&str; 5] = ["xlsx", "xlsm", "xlsb", "xls", "ods"];

/// Whether `path` names a spreadsheet (by its extension, [`EXTENSIONS`]).
///
/// ```
/// use canvass_files::sheet::is_spreadsheet;
/// assert!(is_spreadsheet("sign-in.XLSX".as_ref()));
/// assert!(!is_spreadsheet("sign-in.csv".as_ref()));
/// ```
pub fn is_spreadsheet(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| EXTENSIONS.iter().any(|x| e.eq_ignore_ascii_case(x)))
}

/// The letters Excel gives a 0-based column index.
///
/// ```
/// use canvass_files::sheet::column_letters;
/// assert_eq!(column_letters(0), "A");
/// assert_eq!(column_letters(25), "Z");
/// assert_eq!(column_letters(26), "AA");
/// assert_eq!(column_letters(16_383), "XFD");
/// ```
pub fn column_letters(index: u32) -> String {
    let mut n = u64::from(index) + 1;
    let mut out = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        out.push(char::from(b'A' + u8::try_from(rem).unwrap_or(0)));
        n = (n - 1) / 26;
    }
    out.iter().rev().collect()
}

/// A number as text: integral values without a decimal point (a phone or
/// ZIP typed as a number), others rounded to the 15 significant digits
/// Excel shows.
///
/// ```
/// use canvass_files::sheet::number_text;
/// assert_eq!(number_text(4142020792.0), "4142020792");
/// assert_eq!(number_text(0.1 + 0.2), "0.3");
/// assert_eq!(number_text(-2.5), "-2.5");
/// ```
pub fn number_text(f: f64) -> String {
    const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53: integers exact below it
    if f.fract() == 0.0 && f.abs() < EXACT {
        // Exact: an integral f64 below 2^53 converts without loss.
        return format!("{}", f as i64);
    }
    let rounded: f64 = format!("{f:.14e}").parse().unwrap_or(f);
    format!("{rounded}")
}

/// An Excel date, time or duration as ISO text: `2026-03-14` (midnight),
/// `2026-03-14 10:05:00`, `10:05:00` (a time of day alone), `1:30:00`
/// (a duration); to the nearest second.
///
/// ```
/// use calamine::{ExcelDateTime, ExcelDateTimeType};
/// use canvass_files::sheet::datetime_text;
/// let at = |v| datetime_text(&ExcelDateTime::new(v, ExcelDateTimeType::DateTime, false));
/// assert_eq!(at(46095.0), "2026-03-14");
/// assert_eq!(at(46095.0 + 10.0 / 24.0 + 5.0 / 1440.0), "2026-03-14 10:05:00");
/// assert_eq!(at(0.5), "12:00:00");
/// ```
pub fn datetime_text(value: &ExcelDateTime) -> String {
    let serial = value.as_f64();
    if value.is_duration() {
        let secs = (serial * 86_400.0).round() as i64;
        let sign = if secs < 0 { "-" } else { "" };
        let s = secs.unsigned_abs();
        return format!("{sign}{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60);
    }
    let (y, mo, d, h, mi, s, ms) = value.to_ymd_hms_milli();
    let at = NaiveDate::from_ymd_opt(y.into(), mo.into(), d.into()).and_then(|date| {
        NaiveTime::from_hms_milli_opt(h.into(), mi.into(), s.into(), ms.into())
            .map(|t| date.and_time(t))
    });
    // Excel's 1900-02-29 (a day that never was) has no date: keep the serial.
    let Some(at) = at else {
        return number_text(serial);
    };
    let at = at
        .checked_add_signed(TimeDelta::milliseconds(500))
        .and_then(|t| t.with_nanosecond(0))
        .unwrap_or(at);
    if (0.0..1.0).contains(&serial) {
        at.format("%H:%M:%S").to_string()
    } else if at.time() == NaiveTime::MIN {
        at.format("%Y-%m-%d").to_string()
    } else {
        at.format("%Y-%m-%d %H:%M:%S").to_string()
    }
}

/// One cell as the text a CSV export would hold, or, for an error cell,
/// `Err` with its error (`"#N/A"`).
///
/// ```
/// use calamine::Data;
/// use canvass_files::sheet::cell_text;
/// assert_eq!(cell_text(&Data::Float(53204.0)), Ok("53204".to_string()));
/// assert_eq!(cell_text(&Data::Bool(true)), Ok("true".to_string()));
/// assert_eq!(cell_text(&Data::Error(calamine::CellErrorType::NA)), Err("#N/A".to_string()));
/// ```
///
/// # Errors
/// The cell's error value.
pub fn cell_text<T: DataType>(cell: &T) -> Result<String, String> {
    if let Some(s) = cell.get_string() {
        Ok(s.to_string())
    } else if let Some(i) = cell.get_int() {
        Ok(i.to_string())
    } else if let Some(f) = cell.get_float() {
        Ok(number_text(f))
    } else if let Some(b) = cell.get_bool() {
        Ok(b.to_string())
    } else if let Some(d) = cell.get_datetime() {
        Ok(datetime_text(&d))
    } else if let Some(s) = cell.get_datetime_iso().or_else(|| cell.get_duration_iso()) {
        Ok(s.to_string())
    } else if let Some(e) = cell.get_error() {
        Err(e.to_string())
    } else {
        Ok(String::new())
    }
}

/// The sheet `wanted` names (exactly, else ignoring case), or with none
/// named the first visible worksheet.
///
/// # Errors
/// A message listing the workbook's sheets.
pub fn pick_sheet(sheets: &[Sheet], wanted: Option<&str>) -> Result<String, String> {
    let names = || {
        sheets
            .iter()
            .map(|s| format!("{:?}", s.name))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let found = match wanted {
        Some(w) => sheets
            .iter()
            .find(|s| s.name == w)
            .or_else(|| {
                sheets
                    .iter()
                    .find(|s| s.name.trim().to_lowercase() == w.trim().to_lowercase())
            })
            .ok_or_else(|| format!("no sheet named {w:?} (the workbook has: {})", names()))?,
        None => {
            let work = |s: &&Sheet| s.typ == SheetType::WorkSheet;
            sheets
                .iter()
                .filter(work)
                .find(|s| s.visible == SheetVisible::Visible)
                .or_else(|| sheets.iter().find(work))
                .ok_or_else(|| format!("the workbook has no worksheet (it has: {})", names()))?
        }
    };
    Ok(found.name.clone())
}

/// A cell's 0-based row and column, and its text ([`cell_text`]).
type Cell = (u32, u32, Result<String, String>);

/// A problem with one cell of a row that is otherwise read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellNote {
    /// The cell's column among the header's columns (`None`: outside them).
    pub column: Option<usize>,
    /// What is wrong, and what was done.
    pub message: String,
}

/// One sheet, read row by row.
pub struct SheetRows<'a> {
    name: String,
    cells: Box<dyn Iterator<Item = Result<Cell, String>> + 'a>,
    peeked: Option<Cell>,
    first_column: u32,
    width: usize,
    fields: Vec<String>,
}

impl std::fmt::Debug for SheetRows<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SheetRows")
            .field("name", &self.name)
            .field("first_column", &self.first_column)
            .field("width", &self.width)
            .finish_non_exhaustive()
    }
}

impl<'a> SheetRows<'a> {
    fn new(name: String, cells: impl Iterator<Item = Result<Cell, String>> + 'a) -> SheetRows<'a> {
        SheetRows {
            name,
            // Fused: calamine's readers read on (past the sheet) when asked again.
            cells: Box::new(cells.fuse()),
            peeked: None,
            first_column: 0,
            width: 0,
            fields: Vec::new(),
        }
    }

    /// The sheet's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The 0-based column of the table's first column (the header's first
    /// filled cell).
    pub fn first_column(&self) -> u32 {
        self.first_column
    }

    /// The filled cells of the next row that has any, in column order.
    fn next_cells(&mut self) -> Result<Option<(u32, Vec<Cell>)>, String> {
        let mut row: Option<(u32, Vec<Cell>)> = None;
        loop {
            let cell = match self.peeked.take() {
                Some(c) => c,
                None => match self.cells.next() {
                    Some(c) => c?,
                    None => return Ok(row),
                },
            };
            if matches!(&cell.2, Ok(t) if t.trim().is_empty()) {
                continue;
            }
            match &mut row {
                None => row = Some((cell.0, vec![cell])),
                Some((r, cells)) if *r == cell.0 => cells.push(cell),
                Some(_) => {
                    self.peeked = Some(cell);
                    return Ok(row);
                }
            }
        }
    }

    /// Reads the header (the first row with a filled cell): its 1-based row
    /// number and its names, and fixes the table's columns.
    ///
    /// # Errors
    /// A message when the sheet cannot be read or has no filled cell.
    pub fn header(&mut self) -> Result<(u64, Vec<String>), String> {
        let Some((row, mut cells)) = self.next_cells()? else {
            return Err(format!("sheet {:?} is empty", self.name));
        };
        cells.sort_by_key(|c| c.1);
        let first = cells.first().map_or(0, |c| c.1);
        let last = cells.last().map_or(0, |c| c.1);
        let mut names: Vec<String> = (first..=last).map(column_letters).collect();
        for (_, col, text) in cells {
            if let Ok(t) = text
                && let Some(slot) = names.get_mut((col - first) as usize)
            {
                *slot = t.trim().to_string();
            }
        }
        self.first_column = first;
        self.width = names.len();
        Ok((u64::from(row) + 1, names))
    }

    /// Reads the next row with a filled cell into `record`, one field per
    /// header column, and returns its 1-based row number (`None` at the end
    /// of the sheet). Error cells and cells outside the header's columns
    /// are left out of `record` and described in `notes`.
    ///
    /// # Errors
    /// A message when the sheet cannot be read.
    pub fn next_row(
        &mut self,
        record: &mut csv::StringRecord,
        notes: &mut Vec<CellNote>,
    ) -> Result<Option<u64>, String> {
        let Some((row, cells)) = self.next_cells()? else {
            return Ok(None);
        };
        self.fields.clear();
        self.fields.resize(self.width, String::new());
        let last = self
            .first_column
            .saturating_add(u32::try_from(self.width).unwrap_or(u32::MAX))
            .saturating_sub(1);
        for (_, col, text) in cells {
            let inside = col
                .checked_sub(self.first_column)
                .map(|i| i as usize)
                .filter(|i| *i < self.width);
            match (inside, text) {
                (Some(i), Ok(t)) => {
                    if let Some(f) = self.fields.get_mut(i) {
                        *f = t;
                    }
                }
                (Some(i), Err(e)) => notes.push(CellNote {
                    column: Some(i),
                    message: format!("the cell holds the error {e}; read as empty"),
                }),
                (None, value) => notes.push(CellNote {
                    column: None,
                    message: format!(
                        "column {} holds {:?}, outside the header's columns {}-{}; not read",
                        column_letters(col),
                        value.unwrap_or_else(|e| e),
                        column_letters(self.first_column),
                        column_letters(last),
                    ),
                }),
            }
        }
        record.clear();
        for f in &self.fields {
            record.push_field(f);
        }
        Ok(Some(u64::from(row) + 1))
    }
}

/// Opens the workbook at `path` as its extension (in any case) says.
fn open_book(path: &Path) -> Result<Sheets<std::io::BufReader<std::fs::File>>, String> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let book = match ext.as_str() {
        "xls" => Sheets::Xls(open_workbook::<Xls<_>, _>(path).map_err(|e| e.to_string())?),
        "xlsb" => Sheets::Xlsb(open_workbook::<Xlsb<_>, _>(path).map_err(|e| e.to_string())?),
        "ods" => Sheets::Ods(open_workbook::<Ods<_>, _>(path).map_err(|e| e.to_string())?),
        _ => Sheets::Xlsx(open_workbook::<Xlsx<_>, _>(path).map_err(|e| e.to_string())?),
    };
    Ok(book)
}

fn position(r: usize, c: usize, start: (u32, u32)) -> (u32, u32) {
    let at = |i: usize, base: u32| base.saturating_add(u32::try_from(i).unwrap_or(u32::MAX));
    (at(r, start.0), at(c, start.1))
}

/// Opens the workbook at `path`, picks its sheet ([`pick_sheet`]) and hands
/// the sheet's rows to `f`. `.xlsx`, `.xlsm` and `.xlsb` sheets are streamed
/// cell by cell; `.xls` and `.ods` sheets are loaded first.
///
/// # Errors
/// A message when the file is not a workbook calamine reads, or has no such
/// sheet.
pub fn with_sheet<R>(
    path: &Path,
    wanted: Option<&str>,
    f: impl FnOnce(SheetRows<'_>) -> R,
) -> Result<R, String> {
    let mut book = open_book(path)?;
    let name = pick_sheet(book.sheets_metadata(), wanted)?;
    // The two streaming readers are different types with the same methods.
    macro_rules! stream_cells {
        ($book:expr) => {{
            let mut reader = $book
                .worksheet_cells_reader(&name)
                .map_err(|e| e.to_string())?;
            let cells = std::iter::from_fn(move || reader.next_cell().transpose()).map(|c| {
                c.map(|c| {
                    let (r, col) = c.get_position();
                    (r, col, cell_text(c.get_value()))
                })
                .map_err(|e| e.to_string())
            });
            return Ok(f(SheetRows::new(name, cells)));
        }};
    }
    match &mut book {
        Sheets::Xlsx(xlsx) => stream_cells!(xlsx),
        Sheets::Xlsb(xlsb) => stream_cells!(xlsb),
        Sheets::Xls(_) | Sheets::Ods(_) => {}
    }
    let range = book.worksheet_range(&name).map_err(|e| e.to_string())?;
    let start = range.start().unwrap_or((0, 0));
    let cells = range.used_cells().map(|(r, c, v)| {
        let (r, c) = position(r, c, start);
        Ok((r, c, cell_text(v)))
    });
    Ok(f(SheetRows::new(name, cells)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::ExcelDateTimeType;
    use proptest::prelude::*;

    fn sheet(name: &str, typ: SheetType, visible: SheetVisible) -> Sheet {
        Sheet {
            name: name.into(),
            typ,
            visible,
        }
    }

    #[test]
    fn the_default_sheet_is_the_first_visible_worksheet() {
        let sheets = [
            sheet("Chart", SheetType::ChartSheet, SheetVisible::Visible),
            sheet("Lookup", SheetType::WorkSheet, SheetVisible::Hidden),
            sheet("Sign-ins", SheetType::WorkSheet, SheetVisible::Visible),
        ];
        assert_eq!(pick_sheet(&sheets, None), Ok("Sign-ins".into()));
        assert_eq!(pick_sheet(&sheets, Some("lookup ")), Ok("Lookup".into()));
        let err = pick_sheet(&sheets, Some("Walk-ins")).unwrap_err();
        assert!(
            err.contains("\"Walk-ins\"") && err.contains("\"Sign-ins\""),
            "{err}"
        );
    }

    #[test]
    fn a_duration_is_hours_minutes_seconds() {
        let d = ExcelDateTime::new(1.0 / 16.0 + 1.0, ExcelDateTimeType::TimeDelta, false);
        assert_eq!(datetime_text(&d), "25:30:00");
    }

    #[test]
    fn the_1904_epoch_gives_the_same_date() {
        let d = ExcelDateTime::new(46095.0 - 1462.0, ExcelDateTimeType::DateTime, true);
        assert_eq!(datetime_text(&d), "2026-03-14");
    }

    proptest! {
        #[test]
        fn integral_numbers_read_as_integers(n in -999_999_999_999i64..999_999_999_999) {
            let f = n as f64;
            prop_assert_eq!(number_text(f), n.to_string());
        }

        #[test]
        fn any_number_reads_back_within_excel_precision(f in proptest::num::f64::NORMAL) {
            let back: f64 = number_text(f).parse().unwrap_or(f64::NAN);
            prop_assert!((back - f).abs() <= f.abs() * 1e-14, "{f} -> {back}");
        }

        #[test]
        fn datetimes_parse_back_to_the_second(days in 61i64..2_958_465, secs in 0i64..86_400) {
            let serial = days as f64 + secs as f64 / 86_400.0;
            let text = datetime_text(&ExcelDateTime::new(serial, ExcelDateTimeType::DateTime, false));
            let want = NaiveDate::from_ymd_opt(1899, 12, 30)
                .map(|d| d.and_time(NaiveTime::MIN) + TimeDelta::days(days) + TimeDelta::seconds(secs));
            let parsed = crate::mapping::parse_datetime(&text).ok().map(|t| t.naive_utc());
            prop_assert_eq!(parsed, want, "{}", text);
        }

        #[test]
        fn column_letters_are_bijective(a in 0u32..20_000, b in 0u32..20_000) {
            prop_assert_eq!(a == b, column_letters(a) == column_letters(b));
        }
    }
}
