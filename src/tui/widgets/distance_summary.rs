//! d(E), the mean distance to the nearest error, on each sphere beside the
//! isoperimetric bound at the rate it is compared at (the cap bound on the
//! inner sphere, R times it on the outer), with what the number is: a mean
//! of per-start upper bounds, how many starts found an error of their own,
//! and the exact d(E) over the same starts where the error set is known.

use ratatui::Frame;
use ratatui::layout::Rect;

use crate::data::Sphere;
use crate::measure::{DistanceReading, RateSource};
use crate::tui::format::value;
use crate::tui::measures::Measures;
use crate::tui::palette::{Look, Role};

use super::error_rates::sci_rate;
use super::text_panel;

/// Width from which the full label (`DistanceReading::label`) fits.
pub const LABEL_WIDTH: u16 = 48;

/// How far the measured distance can be trusted, in a word.
pub fn qualifier(r: &DistanceReading) -> &'static str {
    if r.mean().is_none() {
        "none found"
    } else if !r.nearest.every_start {
        // Logged before every start counted: a mean over found starts
        // only, neither an upper nor a lower bound.
        "found only"
    } else {
        "upper est."
    }
}

/// Where the rate the bound is taken at came from, in a word.
fn source(r: &DistanceReading) -> &'static str {
    match r.mu.map(|m| m.source) {
        Some(RateSource::Exact) => "exact",
        Some(RateSource::Rare) => "AMS",
        Some(RateSource::Sampled) => "MC",
        Some(RateSource::UpperBound) => "upper bound",
        None => "?",
    }
}

/// Three lines for one sphere (four with an exact reference): d(E) with
/// its spread and ratio, what it is, the exact d(E) over the same starts,
/// the bound and the rate it is taken at.
pub fn lines(sphere: Sphere, r: &DistanceReading, wide: bool) -> Vec<(String, Role)> {
    let n = &r.nearest;
    let name = sphere.name();
    let head = match r.mean() {
        Some(d) => {
            let ratio = r
                .ratio()
                .map_or_else(String::new, |q| format!("  d/cap {:.0}%", 100.0 * q));
            format!("{name:<6}{} ± {}{ratio}", value(d), value(2.0 * r.se()))
        }
        None => format!("{name:<6}-- {}", qualifier(r)),
    };
    let what = if wide {
        r.label()
    } else {
        format!("{}, {}/{} found", qualifier(r), n.found, n.starts)
    };
    // The exact d(x, E) over the same starts, where the error set is known:
    // the attack's bias on this very model.
    let exact = r.exact_mean.map(|e| {
        let spread = match (wide, r.exact_se) {
            (true, Some(se)) => format!(" ± {}", value(2.0 * se)),
            _ => String::new(),
        };
        let bias = r.bias().map_or_else(String::new, |b| {
            format!(" · attack bias {:+.1}%", 100.0 * b)
        });
        format!("  exact {}{spread}{bias}", value(e))
    });
    let cap = match sphere {
        Sphere::Inner => "cap",
        Sphere::Outer => "R·cap",
    };
    let bound = match (r.bound, r.mu) {
        (Some(b), Some(mu)) if mu.source == RateSource::UpperBound => {
            format!("  {cap} {} at < {}", value(b.cap), sci_rate(&mu.rate))
        }
        (Some(b), Some(mu)) => format!(
            "  {cap} {} at {} ({})",
            value(b.cap),
            sci_rate(&mu.rate),
            source(r)
        ),
        _ => format!("  {cap}: no bound (no rate in (0, 1))"),
    };
    let mut out = vec![(head, Role::Title), (format!("  {what}"), Role::Dim)];
    out.extend(exact.map(|e| (e, Role::Good)));
    out.push((bound, Role::Cap));
    out
}

/// Both spheres, or why one has no reading.
pub fn all_lines(m: &Measures, wide: bool) -> Vec<(String, Role)> {
    let mut out = Vec::new();
    for s in Sphere::BOTH {
        match m.distance(s) {
            Some(d) => out.extend(lines(s, &d.value, wide)),
            None => {
                let zero = m
                    .rates
                    .as_ref()
                    .and_then(|r| r.value.get(s).mu)
                    .is_some_and(|mu| mu.rate.is_zero());
                let why = if zero {
                    "exact rate 0: no error set, no d(E)"
                } else {
                    "waiting for the attacks…"
                };
                out.push((format!("{:<6}{why}", s.name()), Role::Dim));
            }
        }
    }
    out
}

pub fn render(frame: &mut Frame, area: Rect, m: &Measures, look: &Look) {
    let title = match m.nearest.as_ref().or(m.nearest_outer.as_ref()) {
        Some(d) => format!(" d(E), nearest error · v{} ", d.version),
        None => " d(E), nearest error ".to_string(),
    };
    let body = text_panel::styled(all_lines(m, area.width >= LABEL_WIDTH), look);
    text_panel::render(frame, area, title, body, look);
}
