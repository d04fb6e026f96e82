//! The run process's side of the control socket: one acceptor thread, and
//! per client a reader (its commands) and a writer (the run's lines).
//!
//! A client never slows training: the logger hands lines to its bounded
//! queue without waiting (`session::hub`), its writer is the only thread
//! that blocks on its socket, and a socket write that stalls for longer
//! than `WRITE_STALL` ends the client.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender, select, unbounded};

use super::peer::{my_uid, peer_uid};
use super::protocol::{
    ClientHello, ClientLine, MAX_LINE, PROTOCOL, Request, ServerHello, ServerLine, Stats,
};
use super::socket_path::BoundSocket;
use crate::session::Subscriber;
use crate::session::hub::{HubStats, Subscription};
use crate::session::messages::{Command, Event};

/// How long a client has to say hello.
const HELLO_WAIT: Duration = Duration::from_secs(5);
/// A socket write blocked this long means the client is not reading.
const WRITE_STALL: Duration = Duration::from_secs(10);

/// What every client thread needs.
#[derive(Clone)]
pub struct ServerContext {
    pub subscriber: Subscriber,
    pub commands: Sender<Command>,
    pub inject: Sender<Event>,
    /// The hello every client gets, with its offset and number filled in.
    pub hello: ServerHello,
    pub hub: Arc<HubStats>,
    /// Queue length per client (`session::hub::DEFAULT_QUEUE`).
    pub queue: usize,
    /// The trainer's newest step, kept by the run process.
    pub step: Arc<AtomicU64>,
}

#[derive(Default)]
struct IoStats {
    clients: AtomicU64,
    sent_bytes: AtomicU64,
    write_ns: AtomicU64,
}

pub struct Server {
    socket: BoundSocket,
    stop: Arc<AtomicBool>,
    farewell: Arc<Mutex<String>>,
    acceptor: Option<JoinHandle<()>>,
}

impl Server {
    pub fn start(socket: BoundSocket, ctx: ServerContext) -> io::Result<Self> {
        let stop = Arc::new(AtomicBool::new(false));
        let farewell = Arc::new(Mutex::new("the run process stopped".to_string()));
        let listener = socket.listener.try_clone()?;
        let (flag, bye) = (Arc::clone(&stop), Arc::clone(&farewell));
        let io = Arc::new(IoStats::default());
        let acceptor = thread::Builder::new()
            .name("accept".into())
            .spawn(move || {
                for conn in listener.incoming() {
                    if flag.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = conn else { continue };
                    let (ctx, bye, io) = (ctx.clone(), Arc::clone(&bye), Arc::clone(&io));
                    let _ = thread::Builder::new()
                        .name("client".into())
                        .spawn(move || serve_client(stream, ctx, bye, io));
                }
            })?;
        Ok(Self {
            socket,
            stop,
            farewell,
            acceptor: Some(acceptor),
        })
    }

    pub fn path(&self) -> PathBuf {
        self.socket.path.clone()
    }

    /// What clients are told when the run's stream ends.
    pub fn set_farewell(&self, reason: impl Into<String>) {
        if let Ok(mut f) = self.farewell.lock() {
            *f = reason.into();
        }
    }
}

impl Drop for Server {
    /// Stops accepting and removes the socket (through `BoundSocket`).
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // The acceptor sleeps in accept(): one connection wakes it.
        let _ = UnixStream::connect(&self.socket.path);
        if let Some(a) = self.acceptor.take() {
            let _ = a.join();
        }
    }
}

fn line_of<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("protocol lines always serialise")
}

fn say_bye(stream: &mut UnixStream, reason: &str) {
    let _ = stream.set_write_timeout(Some(Duration::from_secs(1)));
    let bye = line_of(&ServerLine::Bye {
        reason: reason.to_string(),
    });
    let _ = stream.write_all(format!("{bye}\n").as_bytes());
}

/// One line of at most `MAX_LINE` bytes, without its newline; None at the
/// end of the stream, an error for an overlong line.
pub(crate) fn read_line(reader: &mut impl BufRead) -> io::Result<Option<String>> {
    let mut buf = String::new();
    let n = reader
        .by_ref()
        .take(MAX_LINE as u64 + 1)
        .read_line(&mut buf)?;
    if n == 0 {
        return Ok(None);
    }
    if !buf.ends_with('\n') && n > MAX_LINE {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("a line longer than {MAX_LINE} bytes"),
        ));
    }
    Ok(Some(buf.trim_end_matches(['\n', '\r']).to_string()))
}

fn serve_client(
    mut stream: UnixStream,
    ctx: ServerContext,
    farewell: Arc<Mutex<String>>,
    io: Arc<IoStats>,
) {
    match peer_uid(&stream) {
        Ok(uid) if uid == my_uid() => {}
        Ok(uid) => {
            say_bye(
                &mut stream,
                &format!(
                    "refused: this run belongs to uid {}, not to uid {uid}",
                    my_uid()
                ),
            );
            return;
        }
        Err(_) => return,
    }
    let Ok(read_half) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(read_half);
    let _ = stream.set_read_timeout(Some(HELLO_WAIT));
    let hello = match read_line(&mut reader) {
        Ok(Some(line)) => serde_json::from_str::<ClientHello>(&line).ok(),
        _ => None,
    };
    let hello = match hello {
        Some(h) if h.hello == "spheres" && h.protocol == PROTOCOL => h,
        Some(h) => {
            say_bye(
                &mut stream,
                &format!(
                    "protocol {} is not supported: this run speaks protocol {PROTOCOL}",
                    h.protocol
                ),
            );
            return;
        }
        None => {
            say_bye(
                &mut stream,
                &format!(
                    "expected a hello line such as {}",
                    line_of(&ClientHello::new(false))
                ),
            );
            return;
        }
    };
    let _ = stream.set_read_timeout(None);
    let Some(sub) = ctx.subscriber.subscribe(ctx.queue) else {
        let reason = farewell.lock().map(|f| f.clone()).unwrap_or_default();
        say_bye(&mut stream, &reason);
        return;
    };
    let mut server_hello = ctx.hello.clone();
    server_hello.offset = sub.offset;
    server_hello.client = sub.id;
    let id = sub.id;
    let (direct, direct_rx) = unbounded::<String>();
    let Ok(write_half) = stream.try_clone() else {
        return;
    };
    io.clients.fetch_add(1, Ordering::Relaxed);
    let first = line_of(&ServerLine::Hello(server_hello));
    let writer_io = Arc::clone(&io);
    let writer = thread::Builder::new()
        .name("client-writer".into())
        .spawn(move || write_loop(write_half, first, sub, direct_rx, farewell, writer_io));
    let who = if hello.read_only {
        "read-only client"
    } else {
        "client"
    };
    let _ = ctx
        .inject
        .send(Event::notice(format!("{who} {id} attached")));
    read_loop(&mut reader, &ctx, &direct, hello.read_only, &io);
    // The client hung up (or broke the protocol): end its writer too.
    let _ = stream.shutdown(std::net::Shutdown::Both);
    drop(direct);
    if let Ok(w) = writer {
        let _ = w.join();
    }
    io.clients.fetch_sub(1, Ordering::Relaxed);
    let _ = ctx
        .inject
        .send(Event::notice(format!("{who} {id} detached")));
}

fn read_loop(
    reader: &mut BufReader<UnixStream>,
    ctx: &ServerContext,
    direct: &Sender<String>,
    read_only: bool,
    io: &IoStats,
) {
    let notice = |text: String| {
        let _ = direct.send(line_of(&Event::notice(text)));
    };
    loop {
        let line = match read_line(reader) {
            Ok(Some(line)) => line,
            Ok(None) => return,
            Err(e) => {
                notice(format!("closing: {e}"));
                return;
            }
        };
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<ClientLine>(&line) {
            Ok(ClientLine::Command(_)) if read_only => {
                notice("read-only client: commands are not accepted".into())
            }
            Ok(ClientLine::Command(c)) => {
                if ctx.commands.send(c).is_err() {
                    notice("the run is ending; the command was not delivered".into());
                }
            }
            Ok(ClientLine::Request(Request::Stats)) => {
                let hub = &ctx.hub;
                let stats = Stats {
                    clients: io.clients.load(Ordering::Relaxed),
                    subscribed: hub.subscribed.load(Ordering::Relaxed),
                    dropped: hub.dropped.load(Ordering::Relaxed),
                    queued: hub.queued.load(Ordering::Relaxed),
                    queued_bytes: hub.queued_bytes.load(Ordering::Relaxed),
                    sent_bytes: io.sent_bytes.load(Ordering::Relaxed),
                    send_ns: hub.send_ns.load(Ordering::Relaxed),
                    write_ns: io.write_ns.load(Ordering::Relaxed),
                    step: ctx.step.load(Ordering::Relaxed),
                };
                let _ = direct.send(line_of(&ServerLine::Stats(stats)));
            }
            Err(e) => notice(format!(
                "refused a message that is not a command ({e}): {line}"
            )),
        }
    }
}

fn write_loop(
    mut stream: UnixStream,
    hello: String,
    sub: Subscription,
    direct: Receiver<String>,
    farewell: Arc<Mutex<String>>,
    io: Arc<IoStats>,
) {
    let _ = stream.set_write_timeout(Some(WRITE_STALL));
    let send = |stream: &mut UnixStream, line: &str| -> bool {
        let started = Instant::now();
        let mut bytes = Vec::with_capacity(line.len() + 1);
        bytes.extend_from_slice(line.as_bytes());
        bytes.push(b'\n');
        let ok = stream.write_all(&bytes).is_ok();
        io.write_ns
            .fetch_add(started.elapsed().as_nanos() as u64, Ordering::Relaxed);
        if ok {
            io.sent_bytes
                .fetch_add(bytes.len() as u64, Ordering::Relaxed);
        }
        ok
    };
    if !send(&mut stream, &hello) {
        return;
    }
    loop {
        select! {
            recv(sub.lines) -> line => match line {
                Ok(_) | Err(_) if sub.dropped.load(Ordering::SeqCst) => {
                    say_bye(&mut stream, "dropped: this client fell too far behind the run");
                    break;
                }
                Ok(line) => if !send(&mut stream, &line) { break },
                Err(_) => {
                    let reason = farewell.lock().map(|f| f.clone()).unwrap_or_default();
                    say_bye(&mut stream, &reason);
                    break;
                }
            },
            recv(direct) -> line => match line {
                Ok(line) => if !send(&mut stream, &line) { break },
                // The reader has gone: the client hung up.
                Err(_) => break,
            },
        }
    }
    let _ = stream.shutdown(std::net::Shutdown::Both);
}
