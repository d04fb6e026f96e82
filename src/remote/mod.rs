//! The control socket of a run process: its protocol, where it lives, the
//! server inside the run and the client `attach` uses.

pub mod client;
pub mod peer;
pub mod protocol;
pub mod server;
pub mod socket_path;

pub use client::{ConnectError, Connection, Ending, connect};
pub use server::{Server, ServerContext};
