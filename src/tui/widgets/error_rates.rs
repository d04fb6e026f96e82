//! The error rate each sphere's bounds and d(E) use, with where it came
//! from (exact, rare-event estimate with its method and interval, Monte
//! Carlo, or an upper bound), and below it the other evidence: the Monte
//! Carlo count, the rare-event estimate and its outcome. With no error
//! sampled and no other rate, only an upper bound is known, and the panel
//! says so.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use crate::attack::{RareEstimate, RareOutcome};
use crate::data::Sphere;
use crate::measure::{Rate, RateReading, RateSource};
use crate::session::messages::Stamped;
use crate::stats::RateEstimate;
use crate::tui::format::{count, sci};
use crate::tui::measures::Measures;
use crate::tui::palette::{Look, Role};

use super::text_panel;

/// Width from which the rare-event line adds its cost and mixing.
pub const DETAIL_WIDTH: u16 = 46;

/// A rate in two significant digits, from ln mu where mu underflows.
pub fn sci_rate(r: &Rate) -> String {
    if r.underflows() {
        let l10 = r.log10();
        let e = l10.floor();
        format!("{:.1}e{e}", 10f64.powf(l10 - e))
    } else {
        sci(r.mu)
    }
}

/// The Monte Carlo headline and the detail line for one sphere.
pub fn describe(r: &RateEstimate) -> (String, String) {
    if r.upper_bound_only() {
        (
            format!("< {} upper bound only", sci(r.hi)),
            format!("(no errors in {})", count(r.samples as f64)),
        )
    } else {
        (
            format!("{} [{}, {}]", sci(r.rate), sci(r.lo), sci(r.hi)),
            format!("{} errors in {}", r.errors, count(r.samples as f64)),
        )
    }
}

/// Monte Carlo in one line: "MC 3.2e-4 [2.2e-4, 4.5e-4]" or
/// "MC < 9.9e-4, none in 3000".
fn sampled(r: &RateEstimate) -> String {
    if r.samples == 0 {
        "MC: no points sampled".into()
    } else if r.upper_bound_only() {
        format!("MC < {}, none in {}", sci(r.hi), count(r.samples as f64))
    } else {
        format!("MC {} [{}, {}]", sci(r.rate), sci(r.lo), sci(r.hi))
    }
}

/// The rare-event estimate in one line, its outcome said: an interval, a
/// bound after a stall, or no number at all when the moves did not mix.
pub fn rare_line(e: &RareEstimate) -> String {
    match (&e.outcome, e.rate) {
        (RareOutcome::Estimate { .. }, Some(rate)) => {
            let rate = Rate::exact(rate, e.ln_rate.unwrap_or_else(|| rate.ln()));
            format!(
                "{} {} [{}, {}]",
                e.method,
                sci_rate(&rate),
                sci(e.lo),
                sci(e.hi)
            )
        }
        (RareOutcome::Stalled { cause, .. }, _) => format!(
            "{} stalled ({}): < {}",
            e.method,
            match cause {
                crate::attack::rare::StallCause::Floor => "floor",
                crate::attack::rare::StallCause::Budget => "budget",
                crate::attack::rare::StallCause::Ties => "ties",
            },
            sci(e.hi)
        ),
        (RareOutcome::NotMixed { .. }, _) => {
            format!("{}: not mixed, no estimate", e.method)
        }
        (RareOutcome::Estimate { .. }, None) => format!("{}: no estimate", e.method),
    }
}

/// The lines of one sphere: the rate used first, then the evidence.
pub fn sphere_lines(
    name: &str,
    r: &RateReading,
    version: u64,
    rare: Option<&Stamped<RareEstimate>>,
    wide: bool,
) -> Vec<(String, Role)> {
    let role = match name {
        "inner" => Role::Inner,
        _ => Role::Outer,
    };
    let Some(mu) = r.mu else {
        return vec![(format!("{name:<6}no rate yet"), Role::Dim)];
    };
    let rare_here = rare.filter(|e| e.version == version);
    let used = match mu.source {
        RateSource::Exact if mu.rate.is_zero() => "exact 0: no error set".into(),
        RateSource::Exact => format!("exact {}", sci_rate(&mu.rate)),
        RateSource::Rare => rare_here.map_or_else(
            || format!("rare {}", sci_rate(&mu.rate)),
            |e| rare_line(&e.value),
        ),
        RateSource::Sampled => sampled(&r.sampled),
        RateSource::UpperBound => {
            let by_rare = rare_here.is_some_and(|e| e.value.hi == mu.hi);
            format!(
                "< {} upper bound ({})",
                sci(mu.hi),
                if by_rare { "AMS" } else { "MC" }
            )
        }
    };
    let mut out = vec![(format!("{name:<6}{used}"), role)];
    match mu.source {
        RateSource::Sampled => out.push((
            format!(
                "  {} errors in {} points",
                r.sampled.errors,
                count(r.sampled.samples as f64)
            ),
            Role::Dim,
        )),
        _ if r.sampled.samples > 0 => out.push((format!("  {}", sampled(&r.sampled)), Role::Dim)),
        _ => {}
    }
    if let Some(e) = rare {
        let shown_above = mu.source == RateSource::Rare && e.version == version;
        let of = if e.version == version {
            String::new()
        } else {
            format!("v{} ", e.version)
        };
        if !shown_above {
            let role = match e.value.outcome {
                RareOutcome::NotMixed { .. } => Role::Warn,
                _ => Role::Dim,
            };
            out.push((format!("  {of}{}", rare_line(&e.value)), role));
        }
        if e.value.outcome == (RareOutcome::Estimate { target_met: false }) {
            out.push(("  AMS: wider than its target".into(), Role::Warn));
        }
        if wide {
            out.push((
                format!(
                    "  {} evaluations · {} repeats · acc {:.2}",
                    count(e.value.evaluations as f64),
                    e.value.repeats,
                    e.value.mixing.acceptance
                ),
                Role::Dim,
            ));
        }
    }
    out
}

/// Every line of the panel, from the rates when they have arrived, from
/// the Monte Carlo estimate alone otherwise (logs written before).
pub fn lines(m: &Measures, wide: bool) -> Vec<(String, Role)> {
    if let Some(r) = &m.rates {
        return Sphere::BOTH
            .into_iter()
            .flat_map(|s| {
                let rare = m.rare.get(s).as_ref();
                sphere_lines(s.name(), r.value.get(s), r.version, rare, wide)
            })
            .collect();
    }
    let Some(e) = &m.estimate else {
        return vec![("waiting for the first estimate…".into(), Role::Dim)];
    };
    let mut out = Vec::new();
    for (name, role, r) in [
        ("inner", Role::Inner, &e.value.inner),
        ("outer", Role::Outer, &e.value.outer),
    ] {
        let (head, detail) = describe(r);
        out.push((format!("{name:<6}{head}"), role));
        out.push((format!("      {detail}"), Role::Dim));
    }
    out
}

pub fn render(frame: &mut Frame, area: Rect, m: &Measures, look: &Look) {
    let title = match (&m.rates, &m.estimate) {
        (Some(r), _) => format!(" rate used, 95% · model v{} ", r.version),
        (None, Some(e)) => format!(" error rate, 95% · model v{} ", e.version),
        (None, None) => " error rate, 95% ".to_string(),
    };
    let body: Vec<Line> = lines(m, area.width >= DETAIL_WIDTH)
        .into_iter()
        .map(|(text, role)| match text.split_at_checked(6) {
            Some((head, rest)) if role == Role::Inner || role == Role::Outer => Line::from(vec![
                Span::styled(head.to_string(), look.style(role)),
                Span::styled(rest.to_string(), look.style(Role::Title)),
            ]),
            _ => Line::from(Span::styled(text, look.style(role))),
        })
        .collect();
    text_panel::render(frame, area, title, body, look);
}
