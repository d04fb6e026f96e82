//! The comparison of several runs: a legend naming each run in its colour,
//! the loss curves overlaid, and below them the inner error rates over
//! training and the d(E)-vs-error-rate points under the bound curves.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Dataset, GraphType, Paragraph};

use crate::tui::compare::Compare;
use crate::tui::format::{count, value};
use crate::tui::log_scale::{Scale, decade_label};
use crate::tui::palette::{Look, Role};
use crate::tui::smoothing::smooth;
use crate::tui::widgets::chart_frame::{axis, block, chart};
use crate::tui::widgets::too_small;

use super::MIN_SIZE;

/// Roles whose colours tell runs apart, in the order runs get them.
const SERIES: [Role; 6] = [
    Role::Loss,
    Role::Outer,
    Role::Accent,
    Role::Bound,
    Role::Cap,
    Role::Inner,
];

/// Run `i`'s style, and its marker name for the legend when there is no
/// colour to tell runs apart.
pub fn series_style(look: &Look, i: usize) -> Style {
    look.style(SERIES[i % SERIES.len()])
}

pub fn legend(c: &Compare) -> Line<'static> {
    let mut spans = vec![Span::styled(
        format!(" {} runs: ", c.runs.len()),
        c.look.style(Role::Title),
    )];
    for (i, t) in c.runs.iter().enumerate() {
        spans.push(Span::styled(
            format!("■ {} ", t.name),
            series_style(&c.look, i),
        ));
        spans.push(Span::styled(
            format!("(step {})  ", count(t.last_step as f64)),
            c.look.style(Role::Dim),
        ));
    }
    Line::from(spans)
}

pub fn view(frame: &mut Frame, c: &Compare) {
    let area = frame.area();
    if area.width < MIN_SIZE.0 || area.height < MIN_SIZE.1 {
        too_small::render(frame, area, MIN_SIZE, &c.look);
        return;
    }
    let [top, loss, lower, hints] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Percentage(50),
        Constraint::Min(0),
        Constraint::Length(1),
    ])
    .areas(area);
    frame.render_widget(Paragraph::new(legend(c)), top);
    loss_chart(frame, loss, c);
    let [rates, tradeoff] = Layout::horizontal([Constraint::Ratio(1, 2); 2]).areas(lower);
    rate_chart(frame, rates, c);
    tradeoff_chart(frame, tradeoff, c);
    frame.render_widget(
        Paragraph::new(Line::styled(
            "q quit  l log/linear loss  + - smoothing   (read-only: from the runs' files)",
            c.look.style(Role::Dim),
        )),
        hints,
    );
}

fn loss_chart(frame: &mut Frame, area: Rect, c: &Compare) {
    let scale = if c.log_scale {
        Scale::Log
    } else {
        Scale::Linear
    };
    let weight = c.smoothing.weight();
    let curves: Vec<Vec<(f64, f64)>> = c
        .runs
        .iter()
        .map(|t| scale.map_points(&smooth(&t.loss.points(), weight)))
        .collect();
    let xs = || curves.iter().flatten().map(|p| p.0);
    let x_bounds = bounds_of(xs());
    let y_bounds = scale.bounds(curves.iter().flatten().map(|p| p.1));
    let datasets = curves
        .iter()
        .enumerate()
        .map(|(i, pts)| {
            Dataset::default()
                .marker(c.look.marker())
                .graph_type(GraphType::Line)
                .style(series_style(&c.look, i))
                .data(pts)
        })
        .collect();
    let title = format!(
        " loss ({}, EMA {}) ",
        if c.log_scale { "log" } else { "linear" },
        weight
    );
    let chart = chart(datasets, block(title, &c.look))
        .x_axis(axis(
            x_bounds,
            vec![count(x_bounds[0]), count(x_bounds[1])],
            &c.look,
        ))
        .y_axis(axis(y_bounds, scale.labels(y_bounds), &c.look));
    frame.render_widget(chart, area);
}

fn rate_chart(frame: &mut Frame, area: Rect, c: &Compare) {
    let seen: Vec<Vec<(f64, f64)>> = c
        .runs
        .iter()
        .map(|t| Scale::Log.map_points(&t.rate.points()))
        .collect();
    let bounds: Vec<Vec<(f64, f64)>> = c
        .runs
        .iter()
        .map(|t| Scale::Log.map_points(&t.rate_bound.points()))
        .collect();
    let all = || seen.iter().chain(&bounds).flatten();
    let x_bounds = bounds_of(all().map(|p| p.0));
    let y_bounds = Scale::Log.bounds(all().map(|p| p.1));
    let mut datasets = Vec::new();
    for (i, (s, b)) in seen.iter().zip(&bounds).enumerate() {
        let style = series_style(&c.look, i);
        datasets.push(
            Dataset::default()
                .marker(c.look.marker())
                .graph_type(GraphType::Line)
                .style(style)
                .data(s),
        );
        datasets.push(
            Dataset::default()
                .marker(ratatui::symbols::Marker::Dot)
                .graph_type(GraphType::Scatter)
                .style(style)
                .data(b),
        );
    }
    let chart = chart(
        datasets,
        block(
            " inner error rate (log; dots: upper bounds, no errors seen) ",
            &c.look,
        ),
    )
    .x_axis(axis(
        x_bounds,
        vec![count(x_bounds[0]), count(x_bounds[1])],
        &c.look,
    ))
    .y_axis(axis(y_bounds, Scale::Log.labels(y_bounds), &c.look));
    frame.render_widget(chart, area);
}

fn tradeoff_chart(frame: &mut Frame, area: Rect, c: &Compare) {
    let curves: Vec<(usize, Vec<(f64, f64)>)> = c
        .bounds()
        .into_iter()
        .map(|(n, curve)| {
            let pts = curve
                .iter()
                .filter(|p| p.mu > 0.0)
                .map(|p| (p.mu.log10(), p.cap))
                .collect();
            (n, pts)
        })
        .collect();
    let points: Vec<Vec<(f64, f64)>> = c.runs.iter().map(|t| t.tradeoff.points()).collect();
    let all = || {
        curves
            .iter()
            .flat_map(|(_, p)| p)
            .chain(points.iter().flatten())
    };
    let x_bounds = Scale::Log.bounds(all().map(|p| p.0));
    let y_top = all().map(|p| p.1).fold(0.0, f64::max);
    let y_bounds = [0.0, if y_top > 0.0 { y_top * 1.1 } else { 1.0 }];
    let mut datasets: Vec<Dataset> = curves
        .iter()
        .map(|(_, pts)| {
            Dataset::default()
                .marker(c.look.marker())
                .graph_type(GraphType::Line)
                .style(c.look.style(Role::Dim))
                .data(pts)
        })
        .collect();
    for (i, pts) in points.iter().enumerate() {
        datasets.push(
            Dataset::default()
                .marker(ratatui::symbols::Marker::Dot)
                .graph_type(GraphType::Scatter)
                .style(series_style(&c.look, i))
                .data(pts),
        );
    }
    let ns: Vec<String> = curves.iter().map(|(n, _)| n.to_string()).collect();
    let title = format!(" d(E) vs error rate; cap bound, n = {} ", ns.join(", "));
    let x_labels = [x_bounds[0], x_bounds[1]]
        .iter()
        .map(|&e| decade_label(e.round()))
        .collect();
    let chart = chart(datasets, block(title, &c.look))
        .x_axis(axis(x_bounds, x_labels, &c.look).title("mu"))
        .y_axis(axis(
            y_bounds,
            vec!["0".into(), value(y_bounds[1])],
            &c.look,
        ));
    frame.render_widget(chart, area);
}

fn bounds_of(xs: impl Iterator<Item = f64>) -> [f64; 2] {
    let (lo, hi) = xs
        .filter(|x| x.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| {
            (a.min(x), b.max(x))
        });
    if hi > lo {
        [lo, hi]
    } else if lo.is_finite() {
        [lo, lo + 1.0]
    } else {
        [0.0, 1.0]
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    use super::*;
    use crate::history::LogReader;
    use crate::tui::compare::Trace;
    use crate::tui::fixtures::events;

    fn screen(c: &Compare, w: u16, h: u16) -> String {
        let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
        t.draw(|f| view(f, c)).unwrap();
        let buf = t.backend().buffer().clone();
        (0..h)
            .map(|y| (0..w).map(|x| buf[(x, y)].symbol()).collect::<String>() + "\n")
            .collect()
    }

    #[test]
    fn two_runs_are_drawn_with_both_names_and_both_bounds() {
        let mut a = Trace::new("relu-online".into(), 500);
        let mut b = Trace::new("relu-from-before".into(), 40);
        for e in events("relu") {
            a.update(&e);
        }
        // A log written before served runs, as `watch` reads it.
        let old = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/log-v0/metrics.jsonl");
        LogReader::new(&old)
            .read(None, &mut |e| b.update(&e))
            .unwrap();
        assert!(!b.loss.is_empty() && !b.rate.is_empty() || !b.rate_bound.is_empty());
        let c = Compare::new(vec![a, b], Look::default());
        for (w, h) in [(80, 24), (160, 48)] {
            let s = screen(&c, w, h);
            for want in [
                "2 runs",
                "relu-online",
                "relu-from-before",
                "loss (log",
                "inner error rate",
            ] {
                assert!(s.contains(want), "{want} missing at {w}x{h}:\n{s}");
            }
            if w >= 160 {
                assert!(
                    s.contains("n = 40, 500"),
                    "one cap curve per dimension:\n{s}"
                );
            }
        }
        assert!(screen(&c, 40, 10).contains("terminal too small"));
    }

    #[test]
    fn quitting_and_drawing_options_are_keys() {
        use crate::tui::Dashboard;
        use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
        let mut c = Compare::new(vec![Trace::new("a".into(), 10)], Look::default());
        let key = |c: &mut Compare, k| c.key(KeyEvent::new(KeyCode::Char(k), KeyModifiers::NONE));
        key(&mut c, 'l');
        assert!(!c.log_scale);
        key(&mut c, '+');
        assert!(c.smoothing.weight() > 0.0);
        assert!(!c.should_exit());
        assert!(
            key(&mut c, 'q').is_empty(),
            "a comparison sends no commands"
        );
        assert!(c.should_exit());
    }
}
