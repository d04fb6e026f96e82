//! Starts a run's workers and wires their channels: the trainer thread, the
//! evaluation thread, and a logger that writes every event to the run's
//! metrics log before passing it on to the UI or the headless reporter.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;

use crossbeam_channel::{Receiver, Sender, unbounded};

use super::eval_worker::EvalWorker;
use super::messages::{Command, Event};
use super::publish;
use super::trainer_worker::{Saver, TrainerWorker};
use crate::run::{MetricsLog, RunDir};
use crate::train::Trainer;

pub struct Session {
    pub commands: Sender<Command>,
    pub events: Receiver<Event>,
    trainer: JoinHandle<Trainer>,
    logger: JoinHandle<()>,
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
        let mut log = run
            .as_ref()
            .map(|d| MetricsLog::open(d.path()))
            .transpose()?;
        let (tx, events) = unbounded();
        // The run ends when the trainer does: an attack still in progress
        // is not waited for (the evaluation thread sees `stop` and exits).
        let logger = std::thread::Builder::new()
            .name("logger".into())
            .spawn(move || {
                let mut forward = |e: Event| {
                    if let Some(log) = log.as_mut()
                        && e.is_logged()
                    {
                        if let Err(err) = log.append(&e) {
                            let _ = tx.send(Event::warning(format!("metrics log: {err}")));
                        }
                        if matches!(e, Event::Saved { .. } | Event::State { .. }) {
                            let _ = log.flush();
                        }
                    }
                    let _ = tx.send(e);
                };
                loop {
                    crossbeam_channel::select! {
                        recv(trainer_rx) -> e => match e {
                            Ok(e) => forward(e),
                            Err(_) => break,
                        },
                        recv(eval_rx) -> e => if let Ok(e) = e { forward(e) },
                    }
                }
            })?;
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
            trainer,
            logger,
        })
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
