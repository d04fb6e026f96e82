//! Off-manifold robustness as Foolbox and ART report it: clean accuracy,
//! robust accuracy under l2 PGD at each eps (all below the margin, so the
//! label of a perturbed point is the sphere it came from), the median
//! minimal l2 perturbation, the error rate under Gaussian noise; and the
//! measured corollary at one cap bound, against the exact cap expansion.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Span;
use ratatui::widgets::{Paragraph, Wrap};

use crate::measure::Robustness;
use crate::measure::corollary::EPS_MULTIPLES;
use crate::stats::RateEstimate;
use crate::tui::measures::Measures;
use crate::tui::palette::{Look, Role};

use super::chart_frame::block;
use super::text_panel;

/// A fraction in four characters: "1.00", ".980".
fn frac(x: f64) -> String {
    if !x.is_finite() {
        "  --".into()
    } else if x >= 1.0 {
        format!("{x:.2}")
    } else {
        format!("{x:.3}").trim_start_matches('0').to_string()
    }
}

/// A noise error rate in at most five characters: the estimate, or "<"
/// its upper bound when no error was seen.
fn short_rate(r: &RateEstimate) -> String {
    if r.errors == 0 {
        format!("<{:.0e}", r.hi)
    } else {
        format!("{:.0e}", r.rate)
    }
}

fn row(label: &str, values: impl IntoIterator<Item = String>) -> String {
    values
        .into_iter()
        .fold(label.to_string(), |s, v| format!("{s} {v}"))
}

pub fn lines(r: &Robustness, n: usize) -> Vec<(String, Role)> {
    let root_n = (n as f64).sqrt();
    let median = match r.median_min_l2 {
        Some(d) => format!("{d:.4}"),
        None => format!("> {:.3}", r.max_eps),
    };
    let mut out = vec![
        (
            format!("clean acc {} · PGD robust acc:", frac(r.clean_accuracy)),
            Role::Title,
        ),
        (row("eps", r.eps.iter().map(|e| frac(*e))), Role::Dim),
        (
            row("acc", r.robust_accuracy.iter().map(|a| frac(*a))),
            Role::Inner,
        ),
        (
            format!("min l2 median {median} ({}/{})", r.min_l2_found, r.points),
            Role::Title,
        ),
        (
            row("noise σ√n", r.noise.iter().map(|z| frac(z.sigma * root_n))),
            Role::Dim,
        ),
        (
            row(" error", r.noise.iter().map(|z| short_rate(&z.rate))),
            Role::Error,
        ),
    ];
    let at = EPS_MULTIPLES.iter().position(|m| *m == 1.0);
    for c in &r.corollary {
        let Some(i) = at.filter(|_| c.unit == "cap bound") else {
            continue;
        };
        let within = c.within.get(i).copied().unwrap_or(f64::NAN);
        let cap = c.cap_expansion.get(i).copied().flatten();
        out.push((
            format!(
                "{} within 1×cap {} (cap {})",
                c.sphere.name(),
                frac(within),
                cap.map_or_else(|| "--".into(), frac)
            ),
            Role::Cap,
        ));
    }
    out
}

pub fn render(frame: &mut Frame, area: Rect, m: &Measures, n: usize, look: &Look) {
    let Some(r) = &m.robustness else {
        frame.render_widget(
            Paragraph::new(Span::styled(
                "waiting for the first robustness round…",
                look.style(Role::Dim),
            ))
            .block(block(" off-manifold ", look))
            .wrap(Wrap { trim: true }),
            area,
        );
        return;
    };
    let title = format!(
        " off-manifold · v{} · {} points ",
        r.version, r.value.points
    );
    let body = text_panel::styled(lines(&r.value, n), look);
    text_panel::render(frame, area, title, body, look);
}
