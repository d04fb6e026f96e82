//! Workers, channels and the messages between them.

pub mod messages;
