//! The trainer thread: owns the model and optimiser, reads commands only at
//! step boundaries, and never waits on the UI.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, RecvTimeoutError, Sender};

use super::messages::{Command, Event, RunState, StepMetrics};
use super::publish::Publisher;
use crate::train::{Trainer, TrainerState};

/// Writes a snapshot and says where; the run directory provides it.
pub type Saver = Box<dyn FnMut(&TrainerState) -> Result<PathBuf, String> + Send>;

/// How often step metrics go out: often enough for a smooth curve, rarely
/// enough that a fast model does not flood the channel.
const REPORT_EVERY: Duration = Duration::from_millis(100);

pub struct TrainerWorker {
    pub trainer: Trainer,
    pub commands: Receiver<Command>,
    pub events: Sender<Event>,
    pub publisher: Publisher,
    pub saver: Option<Saver>,
    pub start_paused: bool,
}

/// Loss and accuracy accumulated since the last report.
#[derive(Default)]
struct Window {
    steps: u64,
    loss: f64,
    correct: u64,
    samples: u64,
    since: Option<Instant>,
}

impl TrainerWorker {
    /// Runs until a Stop command or until the command channel closes;
    /// returns the trainer so the caller can evaluate or save the result.
    pub fn run(mut self) -> Trainer {
        let started = Instant::now();
        let elapsed = |t: &Trainer| t.elapsed_before_s + started.elapsed().as_secs_f64();
        let mut state = if self.start_paused {
            RunState::Paused
        } else {
            RunState::Running
        };
        self.send(Event::RunStarted(super::run_info::run_started(
            &self.trainer,
        )));
        self.send(Event::State { state });
        let mut window = Window {
            since: Some(Instant::now()),
            ..Window::default()
        };
        let mut last_save = Instant::now();
        let mut saved_step = self.trainer.step;
        self.publisher
            .publish(self.trainer.step, &self.trainer.model, &self.trainer.config);
        loop {
            let mut single = false;
            // Commands: block while not running, poll while running.
            loop {
                let cmd = if state == RunState::Running {
                    match self.commands.try_recv() {
                        Ok(c) => c,
                        Err(crossbeam_channel::TryRecvError::Empty) => break,
                        Err(crossbeam_channel::TryRecvError::Disconnected) => return self.trainer,
                    }
                } else {
                    match self.commands.recv_timeout(Duration::from_secs(1)) {
                        Ok(c) => c,
                        Err(RecvTimeoutError::Timeout) => continue,
                        Err(RecvTimeoutError::Disconnected) => return self.trainer,
                    }
                };
                match cmd {
                    Command::Pause if state == RunState::Running => {
                        state = RunState::Paused;
                        self.flush(&mut window, elapsed(&self.trainer));
                        self.send(Event::State { state });
                    }
                    Command::Resume if matches!(state, RunState::Paused | RunState::Diverged) => {
                        state = RunState::Running;
                        window.since = Some(Instant::now());
                        self.send(Event::State { state });
                    }
                    Command::Step if state != RunState::Finished => {
                        single = true;
                        break;
                    }
                    Command::Set { key, value } => match self.trainer.apply(&key, &value) {
                        Ok(()) => {
                            let step = self.trainer.step;
                            self.send(Event::Applied {
                                key: key.clone(),
                                value,
                                step,
                            });
                            if key.starts_with("eval.") || key.starts_with("attack.") {
                                self.publish();
                            }
                            if key == "steps"
                                && state == RunState::Finished
                                && self.trainer.step < self.trainer.config.steps
                            {
                                state = RunState::Paused;
                                self.send(Event::State { state });
                            }
                        }
                        Err(e) => self.send(Event::Refused {
                            key,
                            value,
                            reason: e.to_string(),
                        }),
                    },
                    Command::Snapshot => {
                        self.save(elapsed(&self.trainer));
                        last_save = Instant::now();
                        saved_step = self.trainer.step;
                    }
                    Command::Stop { save } => {
                        self.flush(&mut window, elapsed(&self.trainer));
                        if save && self.trainer.step != saved_step {
                            self.save(elapsed(&self.trainer));
                        }
                        return self.trainer;
                    }
                    _ => {}
                }
            }
            if state == RunState::Finished && !single {
                continue;
            }
            if self.trainer.step >= self.trainer.config.steps {
                self.flush(&mut window, elapsed(&self.trainer));
                self.publish();
                if self.trainer.step != saved_step {
                    self.save(elapsed(&self.trainer));
                    saved_step = self.trainer.step;
                }
                state = RunState::Finished;
                self.send(Event::State { state });
                continue;
            }
            let out = self.trainer.step();
            if !out.is_finite() {
                self.flush(&mut window, elapsed(&self.trainer));
                state = RunState::Diverged;
                self.send(Event::error(format!(
                    "non-finite loss at step {}: training paused with the parameters from before that step; \
                     lower train.lr and resume",
                    self.trainer.step + 1
                )));
                self.send(Event::State { state });
                continue;
            }
            let w = &mut window;
            if single {
                w.since = Some(Instant::now());
            }
            w.steps += 1;
            w.loss += out.loss as f64;
            w.correct += out.correct as u64;
            w.samples += out.batch as u64;
            if single || w.since.is_some_and(|t| t.elapsed() >= REPORT_EVERY) {
                self.flush(&mut window, elapsed(&self.trainer));
            }
            let step = self.trainer.step;
            if step.is_multiple_of(self.trainer.config.train.publish_every) {
                self.publish();
            }
            let autosave = self.trainer.config.run.autosave_min;
            if autosave > 0.0 && last_save.elapsed().as_secs_f64() >= autosave * 60.0 {
                self.save(elapsed(&self.trainer));
                last_save = Instant::now();
                saved_step = step;
            }
        }
    }

    fn send(&self, e: Event) {
        // A closed channel means the UI is gone; the run goes on until Stop.
        let _ = self.events.send(e);
    }

    fn publish(&mut self) {
        let t = &self.trainer;
        let version = self.publisher.publish(t.step, &t.model, &t.config);
        self.send(Event::Published {
            version,
            step: t.step,
        });
    }

    fn flush(&self, w: &mut Window, elapsed_s: f64) {
        if w.steps == 0 {
            return;
        }
        let secs = w.since.map_or(0.0, |t| t.elapsed().as_secs_f64()).max(1e-9);
        let t = &self.trainer;
        self.send(Event::StepMetrics(StepMetrics {
            step: t.step,
            samples: t.samples(),
            loss: (w.loss / w.steps as f64) as f32,
            accuracy: w.correct as f32 / w.samples as f32,
            samples_per_s: w.samples as f64 / secs,
            lr: t.optimizer.lr,
            batch: t.config.train.batch,
            elapsed_s,
        }));
        *w = Window {
            since: Some(Instant::now()),
            ..Window::default()
        };
    }

    fn save(&mut self, elapsed_s: f64) {
        let Some(saver) = self.saver.as_mut() else {
            return;
        };
        if !self.trainer.model.is_finite() {
            self.send(Event::error(
                "not saving a model with non-finite weights: the last snapshot stays the newest good one",
            ));
            return;
        }
        let state = self.trainer.state(elapsed_s);
        match saver(&state) {
            Ok(path) => {
                let _ = self.events.send(Event::Saved {
                    path,
                    step: state.step,
                });
            }
            Err(e) => {
                let _ = self.events.send(Event::error(format!(
                    "snapshot at step {} failed: {e}",
                    state.step
                )));
            }
        }
    }
}
