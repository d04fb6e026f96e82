//! Workers, channels and the messages between them.

pub mod eval_worker;
pub mod hub;
mod logger;
pub mod messages;
pub mod publish;
pub mod run_info;
pub mod start;
pub mod trainer_worker;

pub use start::{Session, Subscriber};
