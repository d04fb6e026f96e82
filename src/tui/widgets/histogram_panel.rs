//! A histogram with one bar per column and vertical marker lines (bounds,
//! bands) with their labels underneath. Chart's bar mode draws one-dot-wide
//! lines; whole block columns read far better at terminal resolution.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Sparkline, SparklineBar};

use crate::tui::format::value;
use crate::tui::histogram::bin;
use crate::tui::palette::{Look, Role};

use super::chart_frame::block;

pub struct Mark {
    pub x: f64,
    pub label: String,
    pub role: Role,
}

pub struct Histogram<'a> {
    pub title: String,
    pub values: &'a [f64],
    pub range: [f64; 2],
    pub marks: Vec<Mark>,
    /// Colour of the bar whose bin is centred at the given value.
    pub bar_role: &'a dyn Fn(f64) -> Role,
}

/// Column of `x` in a strip `width` wide spanning `range`.
pub fn column(x: f64, range: [f64; 2], width: u16) -> Option<u16> {
    let span = range[1] - range[0];
    if width == 0 || span <= 0.0 || !(range[0]..=range[1]).contains(&x) {
        return None;
    }
    let c = ((x - range[0]) / span * f64::from(width)).floor() as u16;
    Some(c.min(width - 1))
}

pub fn render(frame: &mut Frame, area: Rect, look: &Look, h: &Histogram) {
    let outer = block(h.title.clone(), look);
    let inner = outer.inner(area);
    frame.render_widget(outer, area);
    if inner.height < 3 || inner.width < 4 {
        return;
    }
    let [bars, marks, labels] = Layout::vertical([
        Constraint::Min(1),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(inner);
    let counts = bin(h.values, h.range[0], h.range[1], bars.width as usize);
    let data: Vec<SparklineBar> = counts
        .iter()
        .map(|&(centre, n)| SparklineBar::from(n as u64).style(look.style((h.bar_role)(centre))))
        .collect();
    frame.render_widget(Sparkline::default().data(data), bars);

    let (tick, rule) = if look.ascii {
        ("^", "|")
    } else {
        ("▲", "│")
    };
    let buffer = frame.buffer_mut();
    for mark in &h.marks {
        let Some(c) = column(mark.x, h.range, bars.width) else {
            continue;
        };
        let style = look.style(mark.role);
        for y in bars.top()..bars.bottom() {
            let cell = &mut buffer[(bars.x + c, y)];
            if cell.symbol() == " " {
                cell.set_symbol(rule).set_style(style);
            }
        }
        buffer[(marks.x + c, marks.y)]
            .set_symbol(tick)
            .set_style(style);
    }

    let mut spans = vec![Span::styled(value(h.range[0]), look.style(Role::Dim))];
    for mark in &h.marks {
        spans.push(Span::raw("  "));
        spans.push(Span::styled(
            format!("{tick}{}", mark.label),
            look.style(mark.role),
        ));
    }
    let used = Line::from(spans.clone()).width();
    frame.render_widget(Paragraph::new(Line::from(spans)), labels);
    let hi = value(h.range[1]);
    // The range end yields to the marker labels when both do not fit.
    if used + 1 + hi.len() > labels.width as usize {
        return;
    }
    let right = Rect {
        x: labels.right().saturating_sub(hi.len() as u16),
        width: (hi.len() as u16).min(labels.width),
        ..labels
    };
    frame.render_widget(
        Paragraph::new(Span::styled(hi, look.style(Role::Dim))),
        right,
    );
}

#[cfg(test)]
mod tests {
    use super::column;

    #[test]
    fn marks_land_in_their_column() {
        assert_eq!(column(0.0, [0.0, 1.0], 10), Some(0));
        assert_eq!(column(0.55, [0.0, 1.0], 10), Some(5));
        assert_eq!(column(1.0, [0.0, 1.0], 10), Some(9));
        assert_eq!(column(1.5, [0.0, 1.0], 10), None);
    }
}
