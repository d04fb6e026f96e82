//! The logger thread: every event of the trainer and the evaluation thread
//! passes here once. Logged events are appended to `metrics.jsonl`; every
//! event then goes, as one JSON line, to the hub's subscribers (socket
//! clients) and, as a value, to the in-process consumer (the headless
//! reporter of the run process).

use std::sync::Arc;

use crossbeam_channel::{Receiver, Sender, select};

use super::hub::{Hub, SubscribeRequest};
use super::messages::Event;
use crate::run::MetricsLog;

pub struct Logger {
    pub log: Option<MetricsLog>,
    pub hub: Hub,
    /// The in-process consumer; gone is fine (nobody is reading).
    pub out: Sender<Event>,
}

impl Logger {
    /// Runs until the trainer's channel closes; the evaluation thread and
    /// injected notices are served as long as it is open.
    pub fn run(
        mut self,
        trainer: Receiver<Event>,
        eval: Receiver<Event>,
        injected: Receiver<Event>,
        subscribe: Receiver<SubscribeRequest>,
    ) {
        let (mut eval, mut injected, mut subscribe) = (eval, injected, subscribe);
        loop {
            select! {
                recv(trainer) -> e => match e {
                    Ok(e) => self.forward(e),
                    Err(_) => break,
                },
                recv(eval) -> e => match e {
                    Ok(e) => self.forward(e),
                    Err(_) => eval = crossbeam_channel::never(),
                },
                recv(injected) -> e => match e {
                    Ok(e) => self.forward(e),
                    Err(_) => injected = crossbeam_channel::never(),
                },
                recv(subscribe) -> r => match r {
                    Ok(r) => self.subscribe(r),
                    Err(_) => subscribe = crossbeam_channel::never(),
                },
            }
        }
        if let Some(log) = self.log.as_mut() {
            let _ = log.flush();
        }
    }

    fn subscribe(&mut self, request: SubscribeRequest) {
        let flushed = self.log.as_mut().map(|log| (log.flush(), log.offset()));
        let offset = match flushed {
            Some((Err(e), offset)) => {
                self.forward(Event::warning(format!("metrics log: {e}")));
                offset
            }
            Some((Ok(()), offset)) => offset,
            None => 0,
        };
        let _ = request
            .reply
            .send(self.hub.subscribe(offset, request.queue));
    }

    fn forward(&mut self, e: Event) {
        let line = match (self.log.as_mut(), e.is_logged()) {
            (Some(log), true) => match log.append(&e) {
                Ok(line) => {
                    if matches!(e, Event::Saved { .. } | Event::State { .. }) {
                        let _ = log.flush();
                    }
                    Some(line)
                }
                Err(err) => {
                    let _ = self.out.send(Event::warning(format!("metrics log: {err}")));
                    None
                }
            },
            _ => None,
        };
        // Publications come hundreds of times a second from a fast model and
        // mean nothing off this process: clients learn the model version
        // from the measurements' stamps.
        if !self.hub.is_empty() && !matches!(e, Event::Published { .. }) {
            let line = line.or_else(|| serde_json::to_string(&e).ok());
            if let Some(line) = line {
                for notice in self.hub.send(&Arc::from(line)) {
                    self.forward(Event::notice(notice));
                }
            }
        }
        let _ = self.out.send(e);
    }
}
