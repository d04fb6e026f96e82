//! Starts a run's workers and wires their channels: the trainer thread, the
//! evaluation thread, and a logger that writes every event to the run's
//! metrics log before passing it on to the UI or the headless reporter.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;

use crossbeam_channel::{Receiver, Sender, unbounded};

use super::eval_worker::EvalWorker;
use super::hub::{Hub, HubStats, SubscribeRequest, Subscription};
use super::logger::Logger;
use super::messages::{Command, Event};
use super::publish;
use super::trainer_worker::{Saver, TrainerWorker};
use crate::run::{MetricsLog, RunDir};
use crate::train::Trainer;

pub struct Session {
    pub commands: Sender<Command>,
    /// Every event, for the process that runs the session.
    pub events: Receiver<Event>,
    /// Live-only events from outside the workers (a transport's notices).
    pub inject: Sender<Event>,
    subscribe: Sender<SubscribeRequest>,
    pub hub_stats: Arc<HubStats>,
    trainer: JoinHandle<Trainer>,
    logger: JoinHandle<()>,
}

/// Asks the logger for a subscription; cheap to clone into transports.
#[derive(Clone)]
pub struct Subscriber(Sender<SubscribeRequest>);

impl Subscriber {
    /// None once the run has ended.
    pub fn subscribe(&self, queue: usize) -> Option<Subscription> {
        let (reply, answer) = crossbeam_channel::bounded(1);
        self.0.send(SubscribeRequest { queue, reply }).ok()?;
        answer.recv().ok()
    }
}

fn saver(dir: RunDir) -> Saver {
    Box::new(move |state| {
        let keep = crate::config::Config::from_toml(&state.config)
            .map(|c| c.run.keep)
            .unwrap_or(5);
        let saved = dir
            .save_snapshot(state.step, state, keep)
            .map_err(|e| e.to_string())?;
        Ok(saved.path)
    })
}

impl Session {
    /// `run` is where snapshots and the metrics log go; `None` keeps
    /// nothing on disk (benchmarks, tests).
    pub fn start(
        trainer: Trainer,
        run: Option<RunDir>,
        start_paused: bool,
    ) -> anyhow::Result<Self> {
        let (cmd_tx, cmd_rx) = unbounded();
        let (trainer_tx, trainer_rx) = unbounded();
        let (eval_tx, eval_rx) = unbounded();
        let (publisher, models) = publish::slot();
        let stop = Arc::new(AtomicBool::new(false));
        let eval = EvalWorker::new(models, eval_tx, Arc::clone(&stop));
        std::thread::Builder::new()
            .name("eval".into())
            .spawn(move || eval.run())?;
        let log = run
            .as_ref()
            .map(|d| MetricsLog::open(d.path()))
            .transpose()?;
        let (tx, events) = unbounded();
        let (inject, injected) = unbounded();
        let (subscribe, subscriptions) = unbounded();
        let stats = Arc::new(HubStats::default());
        let logger = Logger {
            log,
            hub: Hub::new(Arc::clone(&stats)),
            out: tx,
        };
        // The run ends when the trainer does: an attack still in progress
        // is not waited for (the evaluation thread sees `stop` and exits).
        let logger = std::thread::Builder::new()
            .name("logger".into())
            .spawn(move || logger.run(trainer_rx, eval_rx, injected, subscriptions))?;
        let worker = TrainerWorker {
            trainer,
            commands: cmd_rx,
            events: trainer_tx,
            publisher,
            saver: run.map(saver),
            start_paused,
        };
        let trainer = std::thread::Builder::new()
            .name("trainer".into())
            .spawn(move || {
                let t = worker.run();
                stop.store(true, Ordering::SeqCst);
                t
            })?;
        Ok(Self {
            commands: cmd_tx,
            events,
            inject,
            subscribe,
            hub_stats: stats,
            trainer,
            logger,
        })
    }

    /// A handle that subscribes to the run's lines from any thread.
    pub fn subscriber(&self) -> Subscriber {
        Subscriber(self.subscribe.clone())
    }

    /// Waits for the trainer (send `Command::Stop` first) and the logger,
    /// and returns the trainer in its final state.
    pub fn join(self) -> anyhow::Result<Trainer> {
        let trainer = self
            .trainer
            .join()
            .map_err(|_| anyhow::anyhow!("the trainer thread panicked"))?;
        self.logger
            .join()
            .map_err(|_| anyhow::anyhow!("the logger thread panicked"))?;
        Ok(trainer)
    }
}
