//! `metrics.jsonl`: the full-resolution record of a run, one JSON object
//! per line, appended to across resumes.
//!
//! Each line is the caller's record with `"wall"` (Unix seconds, f64) put
//! first. Records are best given a `kind` field (e.g. an enum with
//! `#[serde(tag = "kind")]`) so readers can tell events apart.
//! A crash can leave a partial last line; readers skip it and the next
//! writer starts on a fresh line, so the log stays line-parseable.

use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use serde::Serialize;

use super::run_dir::METRICS_FILE;
use super::timestamp::unix_seconds;

/// Often enough that `tail -f` and a crash lose little, rarely enough that
/// thousands of steps per second cost no syscall each.
const FLUSH_EVERY: Duration = Duration::from_secs(1);

#[derive(Debug, thiserror::Error)]
pub enum MetricsError {
    #[error("cannot {action} {}: {cause}", path.display())]
    Io {
        path: PathBuf,
        action: &'static str,
        cause: io::Error,
    },
    #[error("cannot encode a record for {}: {cause}", path.display())]
    Encode {
        path: PathBuf,
        cause: serde_json::Error,
    },
    #[error("cannot log to {}: record is not a JSON object or has its own \"wall\" field", path.display())]
    Shape { path: PathBuf },
}

pub struct MetricsLog {
    path: PathBuf,
    out: BufWriter<File>,
    last_flush: Instant,
    /// Bytes in the file once everything appended so far is flushed.
    offset: u64,
}

impl MetricsLog {
    /// Opens `dir/metrics.jsonl` for appending, creating it if needed.
    pub fn open(dir: &Path) -> Result<Self, MetricsError> {
        let path = dir.join(METRICS_FILE);
        let io_err = |action| {
            let path = path.clone();
            move |cause| MetricsError::Io {
                path,
                action,
                cause,
            }
        };
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(&path)
            .map_err(io_err("open"))?;
        let (len, mid_line) = ends_mid_line(&mut file).map_err(io_err("read"))?;
        if mid_line {
            file.write_all(b"\n").map_err(io_err("append to"))?;
        }
        Ok(Self {
            path,
            out: BufWriter::new(file),
            last_flush: Instant::now(),
            offset: len + u64::from(mid_line),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one record and returns its line as written (without the
    /// newline), for passing on to live readers byte for byte.
    pub fn append<T: Serialize>(&mut self, record: &T) -> Result<String, MetricsError> {
        let mut line = self.line(record, unix_seconds(SystemTime::now()))?;
        self.out
            .write_all(line.as_bytes())
            .map_err(|cause| MetricsError::Io {
                path: self.path.clone(),
                action: "append to",
                cause,
            })?;
        self.offset += line.len() as u64;
        if self.last_flush.elapsed() >= FLUSH_EVERY {
            self.flush()?;
        }
        line.pop();
        Ok(line)
    }

    /// The file's length once flushed: every record appended so far lies
    /// before this byte offset, every later one after it.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// Appends are flushed at most a second late while records keep
    /// coming; the last ones before a pause wait for this call (or drop),
    /// so callers flush when a run pauses or stops.
    pub fn flush(&mut self) -> Result<(), MetricsError> {
        self.last_flush = Instant::now();
        self.out.flush().map_err(|cause| MetricsError::Io {
            path: self.path.clone(),
            action: "flush",
            cause,
        })
    }

    /// Serialised once for the field check and once as text, because only
    /// the text form keeps the record's own field order.
    fn line<T: Serialize>(&self, record: &T, wall: f64) -> Result<String, MetricsError> {
        let encode = |cause| MetricsError::Encode {
            path: self.path.clone(),
            cause,
        };
        let value = serde_json::to_value(record).map_err(encode)?;
        let shape = || MetricsError::Shape {
            path: self.path.clone(),
        };
        let fields = value.as_object().ok_or_else(shape)?;
        if fields.contains_key("wall") {
            return Err(shape());
        }
        let wall = serde_json::to_string(&wall).map_err(encode)?;
        let text = serde_json::to_string(record).map_err(encode)?;
        let rest = text.strip_prefix('{').ok_or_else(shape)?;
        let sep = if fields.is_empty() { "" } else { "," };
        Ok(format!("{{\"wall\":{wall}{sep}{rest}\n"))
    }
}

impl Drop for MetricsLog {
    fn drop(&mut self) {
        let _ = self.out.flush();
    }
}

/// The file's length and whether its last line is unfinished.
fn ends_mid_line(file: &mut File) -> io::Result<(u64, bool)> {
    let len = file.seek(SeekFrom::End(0))?;
    if len == 0 {
        return Ok((0, false));
    }
    file.seek(SeekFrom::Start(len - 1))?;
    let mut last = [0u8; 1];
    file.read_exact(&mut last)?;
    Ok((len, last[0] != b'\n'))
}

/// Every record of a log, and the 1-based numbers of lines that were not
/// JSON objects (a crash's partial line, or damage) and were skipped.
#[derive(Debug, Default)]
pub struct MetricsRead {
    pub records: Vec<serde_json::Value>,
    pub skipped_lines: Vec<usize>,
}

pub fn read_all(path: &Path) -> Result<MetricsRead, MetricsError> {
    let text = std::fs::read(path).map_err(|cause| MetricsError::Io {
        path: path.to_path_buf(),
        action: "read",
        cause,
    })?;
    let mut read = MetricsRead::default();
    for (i, line) in text.split(|&b| b == b'\n').enumerate() {
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match serde_json::from_slice::<serde_json::Value>(line) {
            Ok(v) if v.is_object() => read.records.push(v),
            _ => read.skipped_lines.push(i + 1),
        }
    }
    Ok(read)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(Serialize)]
    #[serde(tag = "kind")]
    enum Event {
        Step { step: u64, loss: f32 },
        Done,
    }

    #[test]
    fn wall_comes_first_and_record_fields_follow_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let log = MetricsLog::open(dir.path()).unwrap();
        let line = log
            .line(&Event::Step { step: 3, loss: 0.5 }, 12.25)
            .unwrap();
        assert_eq!(
            line,
            "{\"wall\":12.25,\"kind\":\"Step\",\"step\":3,\"loss\":0.5}\n"
        );
        assert_eq!(log.line(&json!({}), 1.0).unwrap(), "{\"wall\":1.0}\n");
        assert!(log.line(&json!({"wall": 1}), 1.0).is_err());
        assert!(log.line(&3u8, 1.0).is_err());
    }

    #[test]
    fn resumed_log_continues_after_a_partial_line() {
        let dir = tempfile::tempdir().unwrap();
        {
            let mut log = MetricsLog::open(dir.path()).unwrap();
            log.append(&Event::Step { step: 1, loss: 1.0 }).unwrap();
        }
        let path = dir.path().join(METRICS_FILE);
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(b"{\"wall\":5.0,\"kind\":\"St").unwrap();
        drop(f);
        let partial = read_all(&path).unwrap();
        assert_eq!(
            (partial.records.len(), partial.skipped_lines.clone()),
            (1, vec![2])
        );
        {
            let mut log = MetricsLog::open(dir.path()).unwrap();
            log.append(&Event::Step { step: 2, loss: 0.5 }).unwrap();
            log.append(&Event::Done).unwrap();
        }
        let read = read_all(&path).unwrap();
        let kinds: Vec<_> = read.records.iter().map(|r| r["kind"].clone()).collect();
        assert_eq!(kinds, vec![json!("Step"), json!("Step"), json!("Done")]);
        assert_eq!(read.records[1]["step"], json!(2));
        assert!(read.records[2]["wall"].as_f64().unwrap() > 1.7e9);
        assert_eq!(read.skipped_lines, vec![2]);
    }

    #[test]
    fn the_offset_is_the_flushed_length_and_lines_come_back_as_written() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(METRICS_FILE);
        std::fs::write(&path, b"{\"wall\":1.0}\n{\"torn").unwrap();
        let mut log = MetricsLog::open(dir.path()).unwrap();
        let first = log.append(&Event::Step { step: 1, loss: 1.0 }).unwrap();
        let second = log.append(&Event::Done).unwrap();
        log.flush().unwrap();
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!(log.offset(), bytes.len() as u64);
        let text = String::from_utf8(bytes).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(&lines[2..], &[first.as_str(), second.as_str()]);
    }
}
