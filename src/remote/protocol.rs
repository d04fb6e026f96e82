//! The control socket's protocol: newline-delimited JSON, one object per
//! line, opened by a hello from each side.
//!
//! ```text
//! client: {"hello":"spheres","protocol":1,"read_only":false}
//! server: {"kind":"Hello","protocol":1,"offset":48213,"pid":..,"config":"..",..}
//! server: {"wall":..,"kind":"StepMetrics",..}   every metrics.jsonl line after `offset`,
//! server: {"kind":"Notice",..}                  live-only events (no "wall"),
//! client: {"cmd":"Pause"}                       commands (session::messages::Command),
//! client: {"cmd":"Stats"}                       or a request for the server's counters;
//! server: {"kind":"Stats",..}                   the answer, to that client only;
//! server: {"kind":"Bye","reason":"finished"}    last line before the server closes.
//! ```
//!
//! `offset` is the byte offset in `metrics.jsonl` up to which the history
//! is on disk: a client reads the file to there, then takes the stream, and
//! sees every record once. A server refuses a client speaking another
//! protocol version with a Bye that names both versions.

use serde::{Deserialize, Serialize};

use crate::session::messages::Command;

pub const PROTOCOL: u32 = 1;

/// Longest line either side accepts; a record is a few kilobytes at most.
pub const MAX_LINE: usize = 1 << 20;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClientHello {
    /// Always "spheres": a stray connection is told what it reached.
    pub hello: String,
    pub protocol: u32,
    #[serde(default)]
    pub read_only: bool,
}

impl ClientHello {
    pub fn new(read_only: bool) -> Self {
        Self {
            hello: "spheres".into(),
            protocol: PROTOCOL,
            read_only,
        }
    }
}

/// What a client may send after its hello.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ClientLine {
    Command(Command),
    Request(Request),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "cmd")]
pub enum Request {
    /// The server's counters, answered with `ServerLine::Stats`.
    Stats,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServerHello {
    pub protocol: u32,
    pub program: String,
    pub pid: u32,
    pub host: String,
    /// The run directory, absolute.
    pub run: String,
    /// Bytes of metrics.jsonl that hold the history before the stream.
    pub offset: u64,
    pub preset: String,
    /// The config the run process started with, as TOML.
    pub config: String,
    pub start_step: u64,
    /// This client's number, as notices about it name it.
    pub client: u64,
}

/// The server's counters (the cost of its audience).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    pub clients: u64,
    pub subscribed: u64,
    pub dropped: u64,
    pub queued: u64,
    pub queued_bytes: u64,
    /// Bytes written to sockets, over all clients.
    pub sent_bytes: u64,
    /// Nanoseconds the logger spent queueing lines for clients.
    pub send_ns: u64,
    /// Nanoseconds the client threads spent writing to sockets.
    pub write_ns: u64,
    /// The trainer's step when the answer was made.
    pub step: u64,
}

/// Lines only the server sends, beside events.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind")]
pub enum ServerLine {
    Hello(ServerHello),
    Stats(Stats),
    Bye { reason: String },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_lines_are_commands_or_requests() {
        let pause: ClientLine = serde_json::from_str(r#"{"cmd":"Pause"}"#).unwrap();
        assert_eq!(pause, ClientLine::Command(Command::Pause));
        let stats: ClientLine = serde_json::from_str(r#"{"cmd":"Stats"}"#).unwrap();
        assert_eq!(stats, ClientLine::Request(Request::Stats));
        assert!(serde_json::from_str::<ClientLine>(r#"{"cmd":"Reboot"}"#).is_err());
        let hello: ClientHello =
            serde_json::from_str(r#"{"hello":"spheres","protocol":1}"#).unwrap();
        assert_eq!(hello, ClientHello::new(false));
    }

    #[test]
    fn server_lines_carry_their_kind() {
        let bye = ServerLine::Bye {
            reason: "finished".into(),
        };
        let text = serde_json::to_string(&bye).unwrap();
        assert_eq!(text, r#"{"kind":"Bye","reason":"finished"}"#);
        assert_eq!(serde_json::from_str::<ServerLine>(&text).unwrap(), bye);
    }
}
