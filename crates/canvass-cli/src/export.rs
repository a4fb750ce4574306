//! `canvass export`: stream one warehouse table as CSV or NDJSON.
//!
//! CSV is written to be opened in a spreadsheet: a text cell that starts
//! with `=`, `+`, `-`, `@`, a tab or a carriage return would run as a
//! formula there (CSV injection; a volunteer's "name" can be
//! `=HYPERLINK(...)`), so it is written with a leading `'`, as OWASP's
//! CSV-injection guidance says. `--keep-formulas` writes cells as stored.

use std::borrow::Cow;
use std::io::Write;
use std::path::Path;

use futures::StreamExt;

use canvass_sync::EXPORT_TABLES;

use crate::{Failure, Format, config_error, other_error};

/// The characters that make a spreadsheet read a cell as a formula.
pub const FORMULA_TRIGGERS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// `cell` made safe to open in a spreadsheet: a cell starting with one of
/// [`FORMULA_TRIGGERS`] gets a leading `'`, which spreadsheets read as
/// "this is text"; any other cell is unchanged.
///
/// ```
/// use canvass_cli::export::neutralize_formula;
/// assert_eq!(neutralize_formula("=HYPERLINK(\"http://x\")"), "'=HYPERLINK(\"http://x\")");
/// assert_eq!(neutralize_formula("+14145550100"), "'+14145550100");
/// assert_eq!(neutralize_formula("Ana Núñez"), "Ana Núñez");
/// ```
pub fn neutralize_formula(cell: &str) -> Cow<'_, str> {
    if cell.starts_with(FORMULA_TRIGGERS) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// How to write the cells of a CSV export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Cells {
    /// Text cells that a spreadsheet would run as a formula get a leading `'`.
    #[default]
    SpreadsheetSafe,
    /// Every cell exactly as stored (`--keep-formulas`).
    AsStored,
}

/// Streams `table` to `output` (stdout when `None`), row by row.
///
/// # Errors
/// A table not in [`EXPORT_TABLES`] (exit status 2, listing them), a
/// warehouse that cannot be opened, or a failed write.
pub async fn run(
    url: &str,
    table: &str,
    format: Format,
    cells: Cells,
    output: Option<&Path>,
) -> Result<(), Failure> {
    if !EXPORT_TABLES.contains(&table) {
        return Err(config_error(format!(
            "unknown table `{table}`; one of: {}",
            EXPORT_TABLES.join(", ")
        )));
    }
    let warehouse = crate::open_warehouse_for_cli(url).await?;
    let sink: Box<dyn Write> = match output {
        Some(p) => Box::new(
            std::fs::File::create(p).map_err(|e| other_error(format!("{}: {e}", p.display())))?,
        ),
        None => Box::new(std::io::stdout().lock()),
    };
    let mut sink = std::io::BufWriter::new(sink);
    let mut rows = warehouse.export(table);
    let mut csv_writer: Option<csv::Writer<&mut std::io::BufWriter<Box<dyn Write>>>> = None;
    let mut count = 0u64;
    match format {
        Format::Ndjson => {
            while let Some(row) = rows.next().await {
                let row = row.map_err(other_error)?;
                writeln!(sink, "{}", row.to_json()).map_err(other_error)?;
                count += 1;
            }
        }
        Format::Csv => {
            let mut header_written = false;
            let w = csv_writer.get_or_insert_with(|| csv::Writer::from_writer(&mut sink));
            while let Some(row) = rows.next().await {
                let row = row.map_err(other_error)?;
                if !header_written {
                    w.write_record(row.columns.iter()).map_err(other_error)?;
                    header_written = true;
                }
                let text = row.to_text();
                match cells {
                    Cells::AsStored => w.write_record(&text),
                    Cells::SpreadsheetSafe => w.write_record(
                        text.iter()
                            .zip(&row.values)
                            // Numbers cannot be formulas; only text is rewritten.
                            .map(|(t, v)| match v {
                                serde_json::Value::String(_) => neutralize_formula(t),
                                _ => Cow::Borrowed(t.as_str()),
                            })
                            .map(|c| c.into_owned()),
                    ),
                }
                .map_err(other_error)?;
                count += 1;
            }
            w.flush().map_err(other_error)?;
        }
    }
    drop(csv_writer);
    sink.flush().map_err(other_error)?;
    eprintln!("exported {count} rows of {table}");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn every_trigger_is_neutralized() {
        for c in FORMULA_TRIGGERS {
            let cell = format!("{c}1+1");
            assert_eq!(neutralize_formula(&cell), format!("'{cell}"));
        }
        assert_eq!(neutralize_formula(""), "");
        assert_eq!(neutralize_formula(" =1"), " =1");
        assert_eq!(neutralize_formula("a=1"), "a=1");
    }

    proptest! {
        /// No output starts with a trigger, and the input is always
        /// recoverable: nothing is lost, only a `'` is added.
        #[test]
        fn neutralized_cells_are_safe_and_lossless(cell in "\\PC{0,12}") {
            let out = neutralize_formula(&cell);
            prop_assert!(!out.starts_with(FORMULA_TRIGGERS));
            let back = if out.len() > cell.len() { &out[1..] } else { &out[..] };
            prop_assert_eq!(back, cell.as_str());
        }
    }
}
