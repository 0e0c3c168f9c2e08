//! The footer: the keys that apply now, as many as fit, most useful first.

use super::{Hint, Theme, text};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// The hints that fit in `width` cells, as spans: "space pause  + - speed  ...".
pub fn spans<'a>(hints: &'a [Hint], width: usize, theme: &Theme) -> Vec<Span<'a>> {
    let mut out = vec![Span::raw(" ")];
    let mut used = 1;
    for h in hints {
        let key = theme.words(h.key);
        let what = theme.words(&h.what);
        let w = text::width(&key) + 1 + text::width(&what) + 2;
        if used + w > width {
            break;
        }
        out.push(Span::styled(key, theme.key()));
        out.push(Span::styled(format!(" {what}  "), theme.dim()));
        used += w;
    }
    out
}

pub fn render(frame: &mut Frame, area: Rect, hints: &[Hint], theme: &Theme) {
    let line = Line::from(spans(hints, area.width as usize, theme));
    frame.render_widget(Paragraph::new(line), area);
}
