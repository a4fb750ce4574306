//! Finding the files, fingerprinting them, and decoding their text.
//!
//! A read first takes one pass over each file that computes its SHA-256 and
//! works out its encoding (a byte-order mark; else UTF-8 when every byte is
//! valid UTF-8; else Windows-1252, the encoding of spreadsheets saved as
//! "CSV" on Windows). Both passes read through fixed buffers, so memory does
//! not grow with the file.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use encoding_rs::{Encoding, UTF_8, WINDOWS_1252};
use sha2::{Digest, Sha256};

const CHUNK: usize = 64 * 1024;

/// Whether `name` matches `pattern`, where `*` matches any run of
/// characters and `?` exactly one.
///
/// ```
/// use canvass_files::source::wildcard_match;
/// assert!(wildcard_match("sign-in-*.csv", "sign-in-2026-03.csv"));
/// assert!(wildcard_match("week?.csv", "week1.csv"));
/// assert!(!wildcard_match("*.csv", "notes.txt"));
/// ```
pub fn wildcard_match(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    // Greedy matching with backtracking to the last `*`: linear in practice.
    let (mut pi, mut ni) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ni < n.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == n[ni]) {
            pi += 1;
            ni += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ni));
            pi += 1;
        } else if let Some((sp, sn)) = star {
            pi = sp + 1;
            ni = sn + 1;
            star = Some((sp, sn + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

/// The files `pattern` names, in name order: the file itself when it has no
/// wildcard, else every file of its directory whose name matches.
///
/// # Errors
/// A message when the directory cannot be listed or the file does not exist.
pub fn list_files(pattern: &str) -> Result<Vec<PathBuf>, String> {
    let path = Path::new(pattern);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if !name.contains(['*', '?']) {
        return if path.is_file() {
            Ok(vec![path.to_path_buf()])
        } else {
            Err(format!("file {pattern} does not exist"))
        };
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if dir.to_string_lossy().contains(['*', '?']) {
        return Err(format!(
            "{pattern}: wildcards are allowed in the file name only, not in directories"
        ));
    }
    let entries = std::fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter(|e| wildcard_match(&name, &e.file_name().to_string_lossy()))
        .map(|e| e.path())
        .collect();
    files.sort();
    Ok(files)
}

/// What the first pass found out about a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fingerprint {
    /// SHA-256 of the bytes, lower-case hex.
    pub sha256: String,
    /// The text encoding.
    pub encoding: &'static Encoding,
    /// Whether the file starts with a byte-order mark.
    pub bom: bool,
    /// Size in bytes.
    pub bytes: u64,
}

/// Hashes `path` and detects its encoding (`forced` overrides the detection).
///
/// # Errors
/// The I/O error.
pub fn fingerprint(path: &Path, forced: Option<&'static Encoding>) -> std::io::Result<Fingerprint> {
    let mut file = File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; CHUNK];
    let mut utf8 = Utf8Check::default();
    let mut head: Vec<u8> = Vec::with_capacity(3);
    let mut bytes = 0u64;
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        let chunk = &buf[..n];
        hasher.update(chunk);
        if head.len() < 3 {
            let take = (3 - head.len()).min(n);
            head.extend_from_slice(&chunk[..take]);
        }
        utf8.feed(chunk);
        bytes += n as u64;
    }
    let bom = Encoding::for_bom(&head);
    let encoding = match (forced, bom) {
        (Some(e), _) => e,
        (None, Some((e, _))) => e,
        (None, None) if utf8.finish() => UTF_8,
        (None, None) => WINDOWS_1252,
    };
    let digest = hasher.finalize();
    Ok(Fingerprint {
        sha256: digest.iter().map(|b| format!("{b:02x}")).collect(),
        encoding,
        bom: bom.is_some(),
        bytes,
    })
}

/// Incremental UTF-8 validation across chunk boundaries.
#[derive(Default)]
struct Utf8Check {
    carry: Vec<u8>,
    invalid: bool,
}

impl Utf8Check {
    fn feed(&mut self, chunk: &[u8]) {
        if self.invalid {
            return;
        }
        let joined;
        let data = if self.carry.is_empty() {
            chunk
        } else {
            joined = [self.carry.as_slice(), chunk].concat();
            &joined
        };
        match std::str::from_utf8(data) {
            Ok(_) => self.carry.clear(),
            Err(e) if e.error_len().is_none() => {
                // An incomplete sequence at the end: carry it to the next chunk.
                self.carry = data[e.valid_up_to()..].to_vec();
            }
            Err(_) => self.invalid = true,
        }
    }

    fn finish(&self) -> bool {
        !self.invalid && self.carry.is_empty()
    }
}

/// Opens `path` as UTF-8 text: straight through for UTF-8 (its BOM
/// skipped), through a decoder for anything else.
///
/// # Errors
/// The I/O error.
pub fn open_text(path: &Path, fp: &Fingerprint) -> std::io::Result<Box<dyn Read + Send>> {
    let mut file = BufReader::with_capacity(CHUNK, File::open(path)?);
    if fp.encoding == UTF_8 {
        if fp.bom {
            let mut bom = [0u8; 3];
            file.read_exact(&mut bom)?;
        }
        Ok(Box::new(file))
    } else {
        Ok(Box::new(DecodingReader::new(file, fp.encoding)))
    }
}

/// A reader that decodes another encoding into UTF-8 as it goes.
pub struct DecodingReader<R> {
    inner: R,
    decoder: encoding_rs::Decoder,
    input: Vec<u8>,
    in_start: usize,
    in_end: usize,
    output: Vec<u8>,
    out_start: usize,
    out_end: usize,
    eof: bool,
    done: bool,
}

impl<R: Read> DecodingReader<R> {
    /// Decodes `inner` from `encoding` (a BOM, if any, is removed).
    pub fn new(inner: R, encoding: &'static Encoding) -> DecodingReader<R> {
        DecodingReader {
            inner,
            decoder: encoding.new_decoder_with_bom_removal(),
            input: vec![0; CHUNK],
            in_start: 0,
            in_end: 0,
            output: vec![0; CHUNK * 3 + 16],
            out_start: 0,
            out_end: 0,
            eof: false,
            done: false,
        }
    }
}

impl<R: Read> Read for DecodingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.out_start == self.out_end {
            if self.done {
                return Ok(0);
            }
            if self.in_start == self.in_end && !self.eof {
                let n = self.inner.read(&mut self.input)?;
                self.in_start = 0;
                self.in_end = n;
                self.eof = n == 0;
            }
            let (_, read, written, _) = self.decoder.decode_to_utf8(
                &self.input[self.in_start..self.in_end],
                &mut self.output,
                self.eof,
            );
            self.in_start += read;
            self.out_start = 0;
            self.out_end = written;
            if self.eof && self.in_start == self.in_end && written == 0 {
                self.done = true;
            }
        }
        let n = buf.len().min(self.out_end - self.out_start);
        buf[..n].copy_from_slice(&self.output[self.out_start..self.out_start + n]);
        self.out_start += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn windows_1252_is_detected_and_decoded() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let p = dir.path().join("a.csv");
        std::fs::write(&p, b"name\nJos\xe9 N\xfa\xf1ez\n").unwrap_or_else(|e| panic!("{e}"));
        let fp = fingerprint(&p, None).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(fp.encoding, WINDOWS_1252);
        let mut text = String::new();
        open_text(&p, &fp)
            .and_then(|mut r| r.read_to_string(&mut text))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(text, "name\nJosé Núñez\n");
    }

    #[test]
    fn a_utf8_bom_is_skipped() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let p = dir.path().join("a.csv");
        std::fs::write(&p, "\u{feff}name\nJosé\n").unwrap_or_else(|e| panic!("{e}"));
        let fp = fingerprint(&p, None).unwrap_or_else(|e| panic!("{e}"));
        assert!(fp.bom);
        assert_eq!(fp.encoding, UTF_8);
        let mut text = String::new();
        open_text(&p, &fp)
            .and_then(|mut r| r.read_to_string(&mut text))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(text, "name\nJosé\n");
    }

    proptest! {
        #[test]
        fn utf8_check_agrees_with_std_at_any_split(bytes in proptest::collection::vec(any::<u8>(), 0..64), at in 0usize..64) {
            let at = at.min(bytes.len());
            let mut c = Utf8Check::default();
            c.feed(&bytes[..at]);
            c.feed(&bytes[at..]);
            prop_assert_eq!(c.finish(), std::str::from_utf8(&bytes).is_ok());
        }

        #[test]
        fn decoding_in_tiny_reads_equals_decoding_at_once(s in "\\PC{0,80}") {
            let (bytes, _, _) = WINDOWS_1252.encode(&s);
            let mut r = DecodingReader::new(&bytes[..], WINDOWS_1252);
            let mut out = Vec::new();
            let mut one = [0u8; 1];
            while let Ok(1) = r.read(&mut one) {
                out.push(one[0]);
            }
            let (want, _) = WINDOWS_1252.decode_without_bom_handling(&bytes);
            prop_assert_eq!(String::from_utf8_lossy(&out), want);
        }

        #[test]
        fn a_star_matches_any_middle(prefix in "[a-z]{0,5}", middle in "[a-z0-9-]{0,8}", suffix in "[a-z]{0,4}") {
            let pattern = format!("{prefix}*{suffix}.csv");
            let name = format!("{prefix}{middle}{suffix}.csv");
            prop_assert!(wildcard_match(&pattern, &name));
            let longer = format!("{name}x");
            prop_assert!(!wildcard_match(&pattern, &longer));
        }
    }
}
