//! Several runs side by side, from their files (`spheres watch A B ...`):
//! their loss curves, inner error rates and d(E)-vs-bound points overlaid,
//! with a legend naming each run. TensorBoard's run comparison, in the
//! terminal.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use crate::data::Sphere;
use crate::session::messages::{BoundPoint, Command, Event};
use crate::session::run_info::bound_curve;

use super::event_loop::Dashboard;
use super::palette::Look;
use super::series::Series;
use super::smoothing::Smoothing;
use super::training::RUN_POINTS;

/// One run's curves.
#[derive(Debug, Clone)]
pub struct Trace {
    pub name: String,
    pub n: usize,
    /// (step, loss), decimated.
    pub loss: Series,
    /// (step, inner error rate) where errors were seen.
    pub rate: Series,
    /// (step, one-sided upper bound) where none were.
    pub rate_bound: Series,
    /// (log10 mu, d(E)) per nearest-error search.
    pub tradeoff: Series,
    pub last_step: u64,
}

impl Trace {
    pub fn new(name: String, n: usize) -> Self {
        Self {
            name,
            n,
            loss: Series::new(RUN_POINTS),
            rate: Series::new(RUN_POINTS),
            rate_bound: Series::new(RUN_POINTS),
            tradeoff: Series::new(RUN_POINTS),
            last_step: 0,
        }
    }

    pub fn update(&mut self, event: &Event) {
        match event {
            Event::StepMetrics(m) => {
                self.loss.push(m.step as f64, f64::from(m.loss));
                self.last_step = m.step;
            }
            Event::ErrorEstimate(e) => {
                let inner = &e.value.inner;
                if inner.errors > 0 {
                    self.rate.push(e.step as f64, inner.rate);
                } else {
                    self.rate_bound.push(e.step as f64, inner.hi);
                }
            }
            Event::NearestError(n) if n.value.nearest.sphere == Sphere::Inner => {
                let mu = n.value.mu.map(|m| m.rate).filter(|r| r.mu > 0.0);
                if let (Some(mu), Some(d)) = (mu, n.value.mean()) {
                    self.tradeoff.push(mu.log10(), d);
                }
            }
            Event::RunStarted(r) => {
                if let Ok(c) = crate::config::Config::from_toml(&r.config) {
                    self.n = c.data.n;
                }
            }
            _ => {}
        }
    }
}

#[derive(Debug, Clone)]
pub struct Compare {
    pub runs: Vec<Trace>,
    pub look: Look,
    pub smoothing: Smoothing,
    pub log_scale: bool,
    pub size: (u16, u16),
    exit: bool,
    dirty: bool,
}

impl Compare {
    pub fn new(runs: Vec<Trace>, look: Look) -> Self {
        Self {
            runs,
            look,
            smoothing: Smoothing::default(),
            log_scale: true,
            size: (80, 24),
            exit: false,
            dirty: true,
        }
    }

    pub fn update_run(&mut self, run: usize, event: &Event) {
        if let Some(t) = self.runs.get_mut(run) {
            t.update(event);
            self.dirty = true;
        }
    }

    /// The bound curves for each distinct input dimension among the runs.
    pub fn bounds(&self) -> Vec<(usize, Vec<BoundPoint>)> {
        let mut ns: Vec<usize> = self.runs.iter().map(|t| t.n).collect();
        ns.sort_unstable();
        ns.dedup();
        ns.into_iter().map(|n| (n, bound_curve(n))).collect()
    }
}

impl Dashboard for Compare {
    fn update(&mut self, _event: Event) {}

    fn key(&mut self, key: KeyEvent) -> Vec<Command> {
        if key.kind == KeyEventKind::Release {
            return Vec::new();
        }
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Char('q') | KeyCode::Esc => self.exit = true,
            KeyCode::Char('c') if ctrl => self.exit = true,
            KeyCode::Char('l') => self.log_scale = !self.log_scale,
            KeyCode::Char('+' | '=') => {
                self.smoothing.more();
            }
            KeyCode::Char('-') => {
                self.smoothing.less();
            }
            _ => return Vec::new(),
        }
        self.dirty = true;
        Vec::new()
    }

    fn resize(&mut self, width: u16, height: u16) {
        self.size = (width, height);
        self.dirty = true;
    }

    fn is_dirty(&self) -> bool {
        self.dirty
    }

    fn mark_drawn(&mut self) {
        self.dirty = false;
    }

    fn should_exit(&self) -> bool {
        self.exit
    }

    fn exit_now(&mut self) {
        self.exit = true;
    }

    fn workers_exited(&mut self) {}
}
