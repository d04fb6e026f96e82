//! A client of a run's control socket: the hello, then the run's events on
//! a channel and commands back. `attach` draws from it; tests drive it.

use std::io::{self, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::thread;

use crossbeam_channel::{Receiver, Sender, unbounded};

use super::protocol::{ClientHello, PROTOCOL, ServerHello, ServerLine, Stats};
use super::server::read_line;
use super::socket_path::locate;
use crate::session::messages::{Command, Event};

#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error(
        "{}: no run process is serving this run{detail}; `spheres watch {}` shows it from its files, `spheres resume {}` trains it on",
        run.display(),
        run.display(),
        run.display()
    )]
    NotRunning { run: PathBuf, detail: String },
    #[error("{}: the run process refused this client: {reason}", run.display())]
    Refused { run: PathBuf, reason: String },
    #[error("{}: the run process answered with something other than a hello: {line}", run.display())]
    Protocol { run: PathBuf, line: String },
    #[error("{}: {action}: {cause}", run.display())]
    Io {
        run: PathBuf,
        action: &'static str,
        cause: io::Error,
    },
}

/// What ends a connection's stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ending {
    /// The server said goodbye, with its reason.
    Bye(String),
    /// The connection closed without a goodbye (the process died).
    Lost,
}

pub struct Connection {
    pub hello: ServerHello,
    /// The run's events after the hello's offset, in order. Closes after
    /// the stream ends; `ending` then says why.
    pub events: Receiver<Event>,
    pub ending: Receiver<Ending>,
    pub stats: Receiver<Stats>,
    commands: Sender<String>,
    stream: UnixStream,
}

impl Connection {
    /// Queues a command for the run; false once the connection is gone.
    pub fn send(&self, c: &Command) -> bool {
        self.send_line(serde_json::to_string(c).expect("commands serialise"))
    }

    /// Asks for the server's counters; the answer arrives on `stats`.
    pub fn request_stats(&self) -> bool {
        self.send_line(r#"{"cmd":"Stats"}"#.to_string())
    }

    fn send_line(&self, line: String) -> bool {
        self.commands.send(line).is_ok()
    }

    /// A sender of commands for code that only knows `Command`s (the
    /// dashboard loop).
    pub fn command_sender(&self) -> Sender<Command> {
        let (tx, rx) = unbounded::<Command>();
        let lines = self.commands.clone();
        let _ = thread::Builder::new()
            .name("commands".into())
            .spawn(move || {
                for c in rx {
                    let line = serde_json::to_string(&c).expect("commands serialise");
                    if lines.send(line).is_err() {
                        break;
                    }
                }
            });
        tx
    }

    /// Closes the connection: the run goes on.
    pub fn detach(self) {
        let _ = self.stream.shutdown(std::net::Shutdown::Both);
    }
}

/// Connects to the run in `run` and says hello.
pub fn connect(run: &Path, read_only: bool) -> Result<Connection, ConnectError> {
    let io_err = |action| {
        let run = run.to_path_buf();
        move |cause| ConnectError::Io { run, action, cause }
    };
    let Some(path) = locate(run) else {
        return Err(ConnectError::NotRunning {
            run: run.to_path_buf(),
            detail: " (it has no control socket)".into(),
        });
    };
    let mut stream = match UnixStream::connect(&path) {
        Ok(s) => s,
        Err(e)
            if matches!(
                e.kind(),
                io::ErrorKind::ConnectionRefused | io::ErrorKind::NotFound
            ) =>
        {
            return Err(ConnectError::NotRunning {
                run: run.to_path_buf(),
                detail: format!(
                    " (its socket {} is left from a process that is gone)",
                    path.display()
                ),
            });
        }
        Err(e) => return Err(io_err("connect")(e)),
    };
    // A process that is dying (a kill -9 between its threads' exits) can
    // accept a connection and reset it: that is a run nobody serves.
    let gone = || ConnectError::NotRunning {
        run: run.to_path_buf(),
        detail: " (its process closed the connection at once)".into(),
    };
    let hello = serde_json::to_string(&ClientHello::new(read_only)).expect("serialises");
    if let Err(e) = stream.write_all(format!("{hello}\n").as_bytes()) {
        return Err(match e.kind() {
            io::ErrorKind::ConnectionReset | io::ErrorKind::BrokenPipe => gone(),
            _ => io_err("send the hello")(e),
        });
    }
    let mut reader = BufReader::new(stream.try_clone().map_err(io_err("clone the socket"))?);
    let first = match read_line(&mut reader) {
        Ok(Some(line)) => line,
        Ok(None) => return Err(gone()),
        Err(e)
            if matches!(
                e.kind(),
                io::ErrorKind::ConnectionReset | io::ErrorKind::BrokenPipe
            ) =>
        {
            return Err(gone());
        }
        Err(e) => return Err(io_err("read the hello")(e)),
    };
    let server_hello = match serde_json::from_str::<ServerLine>(&first) {
        Ok(ServerLine::Hello(h)) if h.protocol == PROTOCOL => h,
        Ok(ServerLine::Bye { reason }) => {
            return Err(ConnectError::Refused {
                run: run.to_path_buf(),
                reason,
            });
        }
        _ => {
            return Err(ConnectError::Protocol {
                run: run.to_path_buf(),
                line: first,
            });
        }
    };
    let (event_tx, events) = unbounded();
    let (ending_tx, ending) = unbounded();
    let (stats_tx, stats) = unbounded();
    thread::Builder::new()
        .name("socket-reader".into())
        .spawn(move || {
            let end = loop {
                let line = match read_line(&mut reader) {
                    Ok(Some(line)) => line,
                    _ => break Ending::Lost,
                };
                if let Ok(e) = serde_json::from_str::<Event>(&line) {
                    if event_tx.send(e).is_err() {
                        break Ending::Lost;
                    }
                    continue;
                }
                match serde_json::from_str::<ServerLine>(&line) {
                    Ok(ServerLine::Bye { reason }) => {
                        // What a dashboard shows once the stream has ended.
                        let _ = event_tx.send(Event::notice(format!(
                            "the run process has ended the stream: {reason}"
                        )));
                        break Ending::Bye(reason);
                    }
                    Ok(ServerLine::Stats(s)) => {
                        let _ = stats_tx.send(s);
                    }
                    // A newer server's line this client does not know.
                    _ => {}
                }
            };
            let _ = ending_tx.send(end);
        })
        .map_err(io_err("start the reader"))?;
    let (commands, command_rx) = unbounded::<String>();
    let mut writer = stream.try_clone().map_err(io_err("clone the socket"))?;
    thread::Builder::new()
        .name("socket-writer".into())
        .spawn(move || {
            for line in command_rx {
                if writer.write_all(format!("{line}\n").as_bytes()).is_err() {
                    break;
                }
            }
        })
        .map_err(io_err("start the writer"))?;
    Ok(Connection {
        hello: server_hello,
        events,
        ending,
        stats,
        commands,
        stream,
    })
}
