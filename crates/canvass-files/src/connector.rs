//! [`CsvConnector`]: a file (or a wildcard of files) as a canvass source.
//!
//! A read streams each file from disk on a blocking thread, one page of rows
//! at a time, at most two pages ahead of the engine, so memory stays flat
//! however long the file is, and parsing the next page overlaps storing
//! this one.
//!
//! A spreadsheet (`.xlsx`, `.xlsm`, `.xlsb`, `.xls`, `.ods`) is read the same
//! way, one sheet of it through [`crate::sheet`], its rows mapped by the same
//! code; what differs is memory (calamine holds the workbook's shared
//! strings, or a whole `.xls`/`.ods` sheet) and that rows are named by
//! sheet and Excel row number.
//!
//! **Incremental by content.** Every checkpoint holds the SHA-256 of each
//! file read to the end, and for the file being read, its hash and the rows
//! done. A re-run first hashes each file: an unchanged file yields no rows;
//! a changed one is read again from its first row, and the warehouse
//! upserts (unchanged rows count as unchanged); a run stopped mid-file
//! resumes after the last stored page when the file has not changed since.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::Path;
use std::sync::Arc;

use async_trait::async_trait;
use canvass_core::{
    Checkpoint, Connector, ConnectorInfo, EntityKind, Error, Page, PageStream, RecordIssue,
    WriteOp, WriteOutcome, unsupported_read, unsupported_write,
};
use futures::StreamExt;
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;

use crate::config::Config;
use crate::mapping::{Layout, Row, RowMapper, RowOut, slug};
use crate::sheet::{CellNote, SheetRows, is_spreadsheet, with_sheet};
use crate::source::{Fingerprint, fingerprint, list_files, open_text};

/// Where a read of one kind stands.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
struct Position {
    /// Files read to the end: path → SHA-256.
    #[serde(default)]
    done: BTreeMap<String, String>,
    /// The file being read, when the read stopped inside one.
    #[serde(default)]
    at: Option<At>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct At {
    file: String,
    sha256: String,
    /// Data rows (after the header) already stored.
    rows: u64,
}

/// A file source: rows of one or more CSV files or spreadsheets mapped onto
/// the canonical model by a [`Config`].
///
/// ```no_run
/// # async fn run() -> Result<(), canvass_core::Error> {
/// use canvass_core::{ConnectorExt, EntityKind};
/// use canvass_files::{Config, CsvConnector, Field, RowEntity};
/// let config = Config::new("signins.csv", RowEntity::Attendances)
///     .column("Name", Field::FullName)
///     .column("Email", Field::Email)
///     .column("Event", Field::Event);
/// let csv = CsvConnector::new(config)?;
/// let rsvps = csv.read_all(EntityKind::Attendances).await?;
/// println!("{} sign-ins", rsvps.len());
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct CsvConnector {
    config: Arc<Config>,
    encoding: Option<&'static encoding_rs::Encoding>,
}

impl CsvConnector {
    /// A connector for `config`.
    ///
    /// # Errors
    /// [`Error::Config`] when the config is inconsistent ([`Config::validate`]).
    pub fn new(config: Config) -> Result<CsvConnector, Error> {
        config.validate()?;
        let encoding = config
            .encoding
            .as_deref()
            .and_then(|l| encoding_rs::Encoding::for_label(l.as_bytes()));
        Ok(CsvConnector {
            config: Arc::new(config),
            encoding,
        })
    }

    /// The config.
    pub fn config(&self) -> &Config {
        &self.config
    }
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

fn io_error(system: &str, path: &Path, e: impl std::fmt::Display) -> Error {
    Error::transport(system, format!("reading {}: {e}", path.display()))
}

fn csv_reader(
    config: &Config,
    text: Box<dyn std::io::Read + Send>,
) -> csv::Reader<Box<dyn std::io::Read + Send>> {
    csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(true)
        .delimiter(config.delimiter.map_or(b',', |c| c as u8))
        .from_reader(text)
}

fn decode_error(config: &Config, path: &Path, at: &str, message: String) -> Error {
    Error::Decode {
        system: config.system.clone(),
        entity: format!("{} header", path.display()),
        path: at.into(),
        message,
        excerpt: String::new(),
        truncated: false,
    }
}

/// The rows of one file after its header: CSV records, or a sheet's rows.
enum Rows<'a> {
    Csv {
        reader: csv::Reader<Box<dyn std::io::Read + Send>>,
        /// See [`Rows::next`].
        line_fix: Option<u64>,
    },
    Sheet(SheetRows<'a>),
}

/// What [`Rows::next`] found.
enum Next {
    /// A row, read into the record: its line (CSV) or row number (sheet).
    Row(u64),
    /// A row that could not be read: where, and why.
    Bad(u64, String),
    /// The end of the file.
    End,
}

impl Rows<'_> {
    /// Reads the next row into `record`; problems with single cells of a
    /// row still read go to `notes` (cleared first).
    ///
    /// # Errors
    /// An error that ends the file's read (I/O, a broken workbook).
    fn next(
        &mut self,
        config: &Config,
        path: &Path,
        record: &mut csv::StringRecord,
        notes: &mut Vec<CellNote>,
    ) -> Result<Next, Error> {
        notes.clear();
        match self {
            Rows::Csv { reader, line_fix } => {
                // The csv crate counts a CRLF line ending at the start of the
                // next record, so in CRLF files (Excel's) each record's line
                // is one low; the first data record is never on line 1 (the
                // header is), which tells the two apart.
                let mut fix_line = |line: u64| *line_fix.get_or_insert(u64::from(line <= 1)) + line;
                match reader.read_record(record) {
                    Ok(false) => Ok(Next::End),
                    Ok(true) => Ok(Next::Row(fix_line(
                        record.position().map_or(0, csv::Position::line),
                    ))),
                    Err(e) => {
                        if let csv::ErrorKind::Io(io) = e.kind() {
                            return Err(io_error(&config.system, path, io));
                        }
                        let line = fix_line(e.position().map_or(0, csv::Position::line));
                        Ok(Next::Bad(line, e.to_string()))
                    }
                }
            }
            Rows::Sheet(sheet) => match sheet.next_row(record, notes) {
                Ok(Some(row)) => Ok(Next::Row(row)),
                Ok(None) => Ok(Next::End),
                Err(m) => Err(Error::Decode {
                    system: config.system.clone(),
                    entity: format!("{} sheet {:?}", path.display(), sheet.name()),
                    path: String::new(),
                    message: m,
                    excerpt: String::new(),
                    truncated: false,
                }),
            },
        }
    }
}

/// Opens `path` (a CSV file, or a spreadsheet's sheet), reads its header,
/// resolves the configured columns and hands the layout and the rows after
/// the header to `f`.
///
/// # Errors
/// The file cannot be read, or its header lacks a configured column.
fn with_rows<R>(
    config: &Config,
    path: &Path,
    fp: &Fingerprint,
    f: impl FnOnce(Layout, Rows<'_>) -> R,
) -> Result<R, Error> {
    if is_spreadsheet(path) {
        let read = with_sheet(path, config.sheet.as_deref(), |mut sheet| {
            let (row, headers) = sheet
                .header()
                .map_err(|m| decode_error(config, path, "", m))?;
            let name = sheet.name().to_string();
            let layout = Layout::new(&file_name(path), &headers, config)
                .map_err(|m| decode_error(config, path, &format!("sheet {name:?} row {row}"), m))?
                .in_sheet(&name, sheet.first_column());
            Ok(f(layout, Rows::Sheet(sheet)))
        });
        return read.map_err(|m| decode_error(config, path, "", m))?;
    }
    let text = open_text(path, fp).map_err(|e| io_error(&config.system, path, e))?;
    let mut reader = csv_reader(config, text);
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| decode_error(config, path, "line 1", e.to_string()))?
        .iter()
        .map(String::from)
        .collect();
    let layout = Layout::new(&file_name(path), &headers, config)
        .map_err(|m| decode_error(config, path, "line 1", m))?;
    Ok(f(
        layout,
        Rows::Csv {
            reader,
            line_fix: None,
        },
    ))
}

/// The read of one kind, on a blocking thread: sends pages until the files
/// end, the receiver goes away, or an error stops it.
struct Producer<'a> {
    config: &'a Config,
    encoding: Option<&'static encoding_rs::Encoding>,
    kind: EntityKind,
    tx: &'a mpsc::Sender<Result<Page, Error>>,
}

/// Why the producer stopped early.
enum Stop {
    /// The stream was dropped.
    Gone,
}

impl Producer<'_> {
    fn send(&self, item: Result<Page, Error>) -> Result<(), Stop> {
        self.tx.blocking_send(item).map_err(|_| Stop::Gone)
    }

    fn run(&self, since: Position) -> Result<(), Stop> {
        let system = &self.config.system;
        let files = match list_files(&self.config.path) {
            Ok(f) if f.is_empty() => {
                return self.send(Err(Error::not_found(
                    system,
                    format!("no file matches {}", self.config.path),
                )));
            }
            Ok(f) => f,
            Err(m) => return self.send(Err(Error::not_found(system, m))),
        };
        let mut done = since.done.clone();
        let mut seen: HashSet<String> = HashSet::new();
        for path in files {
            let key = path.display().to_string();
            let fp = match fingerprint(&path, self.encoding) {
                Ok(fp) => fp,
                Err(e) => return self.send(Err(io_error(system, &path, e))),
            };
            if done.get(&key) == Some(&fp.sha256) {
                // Unchanged since it was last read to the end: nothing to read.
                continue;
            }
            let skip = match &since.at {
                Some(at) if at.file == key && at.sha256 == fp.sha256 => at.rows,
                _ => 0,
            };
            self.file(&path, &key, &fp, skip, &mut done, &mut seen)?;
        }
        Ok(())
    }

    fn checkpoint(done: &BTreeMap<String, String>, at: Option<At>) -> Option<Checkpoint> {
        Some(Checkpoint::encode(&Position {
            done: done.clone(),
            at,
        }))
    }

    fn file(
        &self,
        path: &Path,
        key: &str,
        fp: &Fingerprint,
        skip: u64,
        done: &mut BTreeMap<String, String>,
        seen: &mut HashSet<String>,
    ) -> Result<(), Stop> {
        let read = with_rows(self.config, path, fp, |layout, rows| {
            self.rows(path, &layout, rows, key, fp, skip, done, seen)
        });
        match read {
            Ok(r) => r,
            Err(e) => self.send(Err(e)),
        }
    }

    /// Maps and sends the rows of one file.
    #[allow(clippy::too_many_arguments)]
    fn rows(
        &self,
        path: &Path,
        layout: &Layout,
        mut reader: Rows<'_>,
        key: &str,
        fp: &Fingerprint,
        skip: u64,
        done: &mut BTreeMap<String, String>,
        seen: &mut HashSet<String>,
    ) -> Result<(), Stop> {
        let mapper = RowMapper::new(self.config, layout, self.kind.clone());
        let entity_kind = self.config.entity.kind();
        let page_size = self.config.page_size;
        let mut page = Page::default();
        let mut rows_in_page = 0usize;
        let mut rows = 0u64;
        let mut record = csv::StringRecord::new();
        let mut notes: Vec<CellNote> = Vec::new();
        loop {
            let line = match reader.next(self.config, path, &mut record, &mut notes) {
                Err(e) => return self.send(Err(e)),
                Ok(Next::End) => break,
                Ok(Next::Row(line)) => line,
                Ok(Next::Bad(line, e)) => {
                    rows += 1;
                    if rows > skip && self.kind == entity_kind {
                        page.issues.push(RecordIssue::new(
                            format!("{}:{line}", layout.file),
                            &self.kind,
                            "",
                            format!("{}: {e}; row left out", layout.at(line, None)),
                            true,
                        ));
                    }
                    continue;
                }
            };
            rows += 1;
            let row = Row {
                cells: &record,
                line,
            };
            let mut out = RowOut::default();
            match &self.kind {
                EntityKind::Events => {
                    if let Some(id) = mapper.event_name(&row).map(slug)
                        && !id.is_empty()
                        && !seen.contains(&id)
                    {
                        if rows > skip {
                            mapper.event(&row, &mut out);
                        }
                        seen.insert(id);
                    }
                }
                EntityKind::Tags => {
                    for name in mapper.tag_names(&row) {
                        let id = slug(&name);
                        if !id.is_empty() && seen.insert(id) && rows > skip {
                            mapper.tag(&name, &mut out);
                        }
                    }
                }
                _ if rows <= skip => {}
                _ => out = mapper.map(&row),
            }
            if rows <= skip {
                continue;
            }
            // Cell problems (a sheet's error cells, values outside its
            // columns): reported once, under the file's entity kind.
            if self.kind == entity_kind {
                for n in notes.drain(..) {
                    page.issues
                        .push(mapper.issue(&row, n.column, &n.message, false));
                }
            }
            page.records.append(&mut out.records);
            page.raw.append(&mut out.raw);
            page.issues.append(&mut out.issues);
            rows_in_page += 1;
            let has_content = !page.records.is_empty() || !page.issues.is_empty();
            if page.records.len() >= page_size || (rows_in_page >= page_size && has_content) {
                page.checkpoint = Self::checkpoint(
                    done,
                    Some(At {
                        file: key.to_string(),
                        sha256: fp.sha256.clone(),
                        rows,
                    }),
                );
                self.send(Ok(std::mem::take(&mut page)))?;
                rows_in_page = 0;
            }
        }
        done.insert(key.to_string(), fp.sha256.clone());
        page.checkpoint = Self::checkpoint(done, None);
        self.send(Ok(page))
    }
}

#[async_trait]
impl Connector for CsvConnector {
    fn info(&self) -> ConnectorInfo {
        let reads: BTreeSet<EntityKind> = self.config.reads().into_iter().collect();
        ConnectorInfo {
            system: self.config.system.clone(),
            incremental: reads.clone(),
            reads,
            writes: BTreeSet::new(),
        }
    }

    /// Checks that the files exist and their headers (for a spreadsheet,
    /// its sheet's) have every configured column.
    async fn check(&self) -> Result<(), Error> {
        let config = self.config.clone();
        let encoding = self.encoding;
        let system = config.system.clone();
        tokio::task::spawn_blocking(move || {
            let files =
                list_files(&config.path).map_err(|m| Error::not_found(&config.system, m))?;
            if files.is_empty() {
                return Err(Error::not_found(
                    &config.system,
                    format!("no file matches {}", config.path),
                ));
            }
            for path in files {
                let fp =
                    fingerprint(&path, encoding).map_err(|e| io_error(&config.system, &path, e))?;
                with_rows(&config, &path, &fp, |_, _| ())?;
            }
            Ok(())
        })
        .await
        .map_err(|e| Error::transport(system, format!("file check stopped: {e}")))?
    }

    fn read(&self, kind: EntityKind, since: Option<Checkpoint>) -> PageStream<'_> {
        if !self.config.reads().contains(&kind) {
            return unsupported_read(&self.config.system, &kind);
        }
        let position = match since.map(|c| c.decode::<Position>()).transpose() {
            Ok(p) => p.unwrap_or_default(),
            Err(e) => return Box::pin(futures::stream::once(async move { Err(e) })),
        };
        let config = self.config.clone();
        let encoding = self.encoding;
        // Started on first poll, so building the stream needs no runtime.
        let start = async move {
            let (tx, rx) = mpsc::channel(2);
            tokio::task::spawn_blocking(move || {
                let producer = Producer {
                    config: &config,
                    encoding,
                    kind,
                    tx: &tx,
                };
                // `Stop::Gone`: the reader went away; nothing left to do.
                let _ = producer.run(position);
            });
            futures::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|i| (i, rx)) })
        };
        Box::pin(futures::stream::once(start).flatten())
    }

    async fn write(&self, op: &WriteOp) -> Result<WriteOutcome, Error> {
        Err(unsupported_write(&self.config.system, op))
    }
}
