//! Reads a run's `metrics.jsonl` as events, from any byte offset, as far as
//! its last complete line. A line a crash left half-written is not read
//! until it is complete; a damaged line is counted and skipped; records of
//! kinds this version does not draw (a sweep's checkpoints, a newer
//! version's records) are counted apart.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::session::messages::{Event, StepMetrics};

/// `"kind":"StepMetrics"` as the log writes it: right after `wall`.
fn is_step_record(line: &[u8]) -> bool {
    const TAG: &[u8] = b"\"kind\":\"StepMetrics\"";
    line.len() > TAG.len()
        && line[..line.len().min(48)]
            .windows(TAG.len())
            .any(|w| w == TAG)
}

/// Bytes read at a time; lines of one chunk are parsed in parallel, so a
/// long history (an attach to a week-long run) loads on every core.
const CHUNK: usize = 8 << 20;

#[derive(Debug)]
pub struct LogReader {
    path: PathBuf,
    /// Offset of the first byte not yet consumed: the start of a line.
    pos: u64,
    /// Lines that were not JSON objects (damage).
    pub damaged: usize,
    /// JSON objects that are not events this version knows.
    pub unknown: usize,
}

impl LogReader {
    pub fn new(path: &Path) -> Self {
        Self {
            path: path.to_path_buf(),
            pos: 0,
            damaged: 0,
            unknown: 0,
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Offset up to which the file has been read.
    pub fn position(&self) -> u64 {
        self.pos
    }

    /// Reads every complete line from the current position up to `limit`
    /// (or to the end of the file), handing each event to `sink`. Returns
    /// how many events were read. A missing file reads as empty, so a run
    /// that has not logged anything yet is not an error.
    pub fn read(&mut self, limit: Option<u64>, sink: &mut dyn FnMut(Event)) -> io::Result<usize> {
        let mut file = match File::open(&self.path) {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(0),
            Err(e) => return Err(e),
        };
        let len = file.metadata()?.len();
        if len < self.pos {
            // Truncated or replaced: start again from the top.
            self.pos = 0;
        }
        let end = limit.map_or(len, |l| l.min(len));
        let mut events = 0;
        // `buf` holds the bytes from `self.pos` on that are not yet parsed.
        let mut buf = Vec::new();
        while self.pos + (buf.len() as u64) < end {
            let from = self.pos + buf.len() as u64;
            let want = ((end - from) as usize).min(CHUNK);
            file.seek(SeekFrom::Start(from))?;
            let start = buf.len();
            buf.resize(start + want, 0);
            let got = file.read(&mut buf[start..])?;
            buf.truncate(start + got);
            if got == 0 {
                break;
            }
            // Whole lines only; a tail without its newline waits for more.
            if let Some(last_nl) = buf.iter().rposition(|&b| b == b'\n') {
                let lines: Vec<&[u8]> = buf[..last_nl].split(|&b| b == b'\n').collect();
                let parsed: Vec<Parsed> = if lines.len() > 1024 {
                    lines.par_iter().map(|l| parse(l)).collect()
                } else {
                    lines.iter().map(|l| parse(l)).collect()
                };
                for p in parsed {
                    match p {
                        Parsed::Event(e) => {
                            sink(*e);
                            events += 1;
                        }
                        Parsed::Damaged => self.damaged += 1,
                        Parsed::Unknown => self.unknown += 1,
                        Parsed::Blank => {}
                    }
                }
                self.pos += last_nl as u64 + 1;
                buf.drain(..=last_nl);
            }
        }
        Ok(events)
    }
}

enum Parsed {
    Event(Box<Event>),
    Damaged,
    Unknown,
    Blank,
}

fn parse(line: &[u8]) -> Parsed {
    if line.iter().all(u8::is_ascii_whitespace) {
        return Parsed::Blank;
    }
    // Step records are nearly all of a long log. An internally tagged
    // enum buffers every field before it looks at the tag; parsing the
    // struct directly (it ignores `wall` and `kind`) is several times
    // faster, which is most of an attach to a long run.
    if is_step_record(line)
        && let Ok(m) = serde_json::from_slice::<StepMetrics>(line)
    {
        return Parsed::Event(Box::new(Event::StepMetrics(m)));
    }
    match serde_json::from_slice::<Event>(line) {
        Ok(e) => Parsed::Event(Box::new(e)),
        Err(_) => match serde_json::from_slice::<serde_json::Value>(line) {
            Ok(v) if v.is_object() => Parsed::Unknown,
            _ => Parsed::Damaged,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn events_of(reader: &mut LogReader, limit: Option<u64>) -> Vec<Event> {
        let mut out = Vec::new();
        reader.read(limit, &mut |e| out.push(e)).unwrap();
        out
    }

    #[test]
    fn a_torn_last_line_is_read_once_it_is_complete() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("metrics.jsonl");
        let mut f = File::create(&path).unwrap();
        writeln!(f, r#"{{"wall":1.0,"kind":"Warning","message":"a"}}"#).unwrap();
        write!(f, r#"{{"wall":2.0,"kind":"Warn"#).unwrap();
        f.flush().unwrap();
        let mut r = LogReader::new(&path);
        assert_eq!(events_of(&mut r, None), vec![Event::warning("a")]);
        assert_eq!((r.damaged, r.unknown), (0, 0), "a torn line is not damage");
        write!(f, r#"ing","message":"b"}}"#).unwrap();
        writeln!(f).unwrap();
        writeln!(f, "not json").unwrap();
        writeln!(f, r#"{{"kind":"Checkpoint","step":3}}"#).unwrap();
        f.flush().unwrap();
        assert_eq!(events_of(&mut r, None), vec![Event::warning("b")]);
        assert_eq!((r.damaged, r.unknown), (1, 1));
        assert_eq!(r.position(), std::fs::metadata(&path).unwrap().len());
    }

    #[test]
    fn reading_stops_at_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("metrics.jsonl");
        let first = r#"{"kind":"Warning","message":"a"}"#;
        std::fs::write(&path, format!("{first}\n{first}\n")).unwrap();
        let mut r = LogReader::new(&path);
        let one = first.len() as u64 + 1;
        assert_eq!(events_of(&mut r, Some(one)).len(), 1);
        assert_eq!(r.position(), one);
        assert_eq!(events_of(&mut r, None).len(), 1);
        assert!(
            LogReader::new(&dir.path().join("none"))
                .read(None, &mut |_| {})
                .unwrap()
                == 0
        );
    }

    #[test]
    fn a_log_written_before_served_runs_still_reads() {
        let path =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/log-v0/metrics.jsonl");
        let mut r = LogReader::new(&path);
        let events = events_of(&mut r, None);
        assert_eq!((r.damaged, r.unknown), (0, 0));
        let kinds = |f: fn(&Event) -> bool| events.iter().filter(|e| f(e)).count();
        assert!(kinds(|e| matches!(e, Event::StepMetrics(_))) >= 9);
        assert!(kinds(|e| matches!(e, Event::NearestError(_))) >= 6);
        assert!(kinds(|e| matches!(e, Event::Applied { .. })) == 1);
        let unfound = events.iter().find_map(|e| match e {
            Event::NearestError(n) if n.value.nearest.found == 0 => {
                Some(n.value.nearest.mean_distance)
            }
            _ => None,
        });
        assert!(unfound.is_some_and(f64::is_nan), "null reads back as NaN");
    }
}
