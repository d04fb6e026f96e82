//! Help: every key, from the same table the handler uses.

use ratatui::Frame;
use ratatui::layout::Rect;

use crate::tui::app::App;
use crate::tui::widgets::chart_frame::block;
use crate::tui::widgets::key_help;

pub fn view(frame: &mut Frame, area: Rect, app: &App) {
    let outer = block(" keys ", &app.look);
    let inner = outer.inner(area);
    frame.render_widget(outer, area);
    key_help::render(frame, inner, &app.look);
}
