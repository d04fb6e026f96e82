//! The trainer hands model copies to the evaluation thread through a slot
//! that holds only the newest one: the evaluator never works on a stale
//! model for long and the trainer never waits.

use std::sync::Arc;

use crossbeam_channel::{Receiver, Sender, TrySendError, bounded};

use crate::config::Config;
use crate::nn::Model;

#[derive(Debug, Clone)]
pub struct Publication {
    pub version: u64,
    pub step: u64,
    pub model: Arc<Model>,
    pub config: Arc<Config>,
}

pub struct Publisher {
    tx: Sender<Publication>,
    drain: Receiver<Publication>,
    version: u64,
}

pub fn slot() -> (Publisher, Receiver<Publication>) {
    let (tx, rx) = bounded(1);
    (
        Publisher {
            tx,
            drain: rx.clone(),
            version: 0,
        },
        rx,
    )
}

impl Publisher {
    /// Replaces whatever the evaluator has not picked up yet.
    pub fn publish(&mut self, step: u64, model: &Model, config: &Config) -> u64 {
        self.version += 1;
        let mut p = Publication {
            version: self.version,
            step,
            model: Arc::new(model.clone()),
            config: Arc::new(config.clone()),
        };
        loop {
            match self.tx.try_send(p) {
                Ok(()) => return self.version,
                Err(TrySendError::Full(back)) => {
                    let _ = self.drain.try_recv();
                    p = back;
                }
                Err(TrySendError::Disconnected(_)) => return self.version,
            }
        }
    }

    pub fn version(&self) -> u64 {
        self.version
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_slot_keeps_only_the_newest_copy() {
        let (mut p, rx) = slot();
        let config = crate::config::preset("quick").unwrap().config;
        let model = Model::cap(3, 0.5, 1.3);
        p.publish(10, &model, &config);
        p.publish(20, &model, &config);
        let got = rx.try_recv().unwrap();
        assert_eq!((got.version, got.step), (2, 20));
        assert!(rx.try_recv().is_err());
    }
}
