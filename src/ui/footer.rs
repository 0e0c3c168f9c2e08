//! The footer: the keys that apply now, as many as fit, most useful first.

use super::{Theme, text};
use crate::keys::{self, Action};
use crate::view::Hint;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// Keys the footer never drops: how to get help and how to leave (the bindings table's
/// keys for them, on either screen; Esc where the app shows it: back to the list).
fn essential(h: &Hint) -> bool {
    [Action::ToggleHelp, Action::Back, Action::Quit]
        .into_iter()
        .flat_map(|a| keys::bindings_of(a, false).chain(keys::bindings_of(a, true)))
        .any(|b| b.label == h.key)
}

/// The hints that fit in `width` cells, as spans: "space pause  + - speed  ... ? help  q
/// quit". The others are taken in rank order, each if it fits in what the essential ones
/// and the better ranked leave.
pub fn spans<'a>(hints: &'a [Hint], width: usize, theme: &Theme) -> Vec<Span<'a>> {
    let cells =
        |h: &Hint| text::width(&theme.words(h.key)) + 1 + text::width(&theme.words(&h.what)) + 2;
    let kept: usize = hints.iter().filter(|h| essential(h)).map(cells).sum();
    let room = if kept < width { width - kept } else { width };
    let mut out = vec![Span::raw(" ")];
    let mut used = 1;
    let mut push = |h: &Hint, limit: usize, out: &mut Vec<Span<'a>>| {
        let w = cells(h);
        if used + w > limit {
            return false;
        }
        out.push(Span::styled(theme.words(h.key), theme.key()));
        out.push(Span::styled(
            format!(" {}  ", theme.words(&h.what)),
            theme.dim(),
        ));
        used += w;
        true
    };
    // In rank order; one that does not fit leaves its room to a shorter one after it.
    for h in hints.iter().filter(|h| !essential(h)) {
        push(h, room, &mut out);
    }
    for h in hints.iter().filter(|h| essential(h)) {
        if !push(h, width, &mut out) {
            break;
        }
    }
    out
}

pub fn render(frame: &mut Frame, area: Rect, hints: &[Hint], theme: &Theme) {
    let line = Line::from(spans(hints, area.width as usize, theme));
    frame.render_widget(Paragraph::new(line), area);
}
