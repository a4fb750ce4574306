//! `canvass export`: stream one warehouse table as CSV or NDJSON.

use std::io::Write;
use std::path::Path;

use futures::StreamExt;

use canvass_sync::{EXPORT_TABLES, open_warehouse};

use crate::{Failure, Format, config_error, other_error};

/// Streams `table` to `output` (stdout when `None`), row by row.
pub async fn run(
    url: &str,
    table: &str,
    format: Format,
    output: Option<&Path>,
) -> Result<(), Failure> {
    if !EXPORT_TABLES.contains(&table) {
        return Err(config_error(format!(
            "unknown table `{table}`; one of: {}",
            EXPORT_TABLES.join(", ")
        )));
    }
    let warehouse = open_warehouse(url)
        .await
        .map_err(|e| other_error(format!("warehouse {url}: {e}")))?;
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
                w.write_record(row.to_text()).map_err(other_error)?;
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
