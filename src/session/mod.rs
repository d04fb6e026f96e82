//! Workers, channels and the messages between them.

pub mod messages;
pub mod publish;
pub mod trainer_worker;
