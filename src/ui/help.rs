//! The help overlay: every key, in a centred box over the run screen.

use super::{Hint, Theme, layout, panel, text};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

pub fn render(frame: &mut Frame, area: Rect, keys: &[Hint], theme: &Theme) {
    let key_w = keys
        .iter()
        .map(|h| text::width(&theme.words(h.key)))
        .max()
        .unwrap_or(0);
    let what_w = keys
        .iter()
        .map(|h| text::width(&theme.words(&h.what)))
        .max()
        .unwrap_or(0);
    let footer = "? or esc closes this";
    let w = (key_w + 3 + what_w).max(text::width(footer)) + 4;
    let h = keys.len() + 4;
    let r = layout::centered(
        area,
        w.min(u16::MAX as usize) as u16,
        h.min(u16::MAX as usize) as u16,
    );
    frame.render_widget(Clear, r);
    frame.render_widget(
        panel(" Keys ", theme)
            .border_style(theme.border_focus())
            .title_bottom(Line::styled(format!(" {footer} "), theme.dim()).right_aligned()),
        r,
    );
    let inner = layout::inner(r);
    let body = Rect::new(
        inner.x.saturating_add(1).min(inner.right()),
        inner.y.saturating_add(1).min(inner.bottom()),
        inner.width.saturating_sub(2),
        inner.height.saturating_sub(1),
    );
    let lines: Vec<Line> = keys
        .iter()
        .map(|k| {
            Line::from(vec![
                Span::styled(text::pad(&theme.words(k.key), key_w, ""), theme.key()),
                Span::raw("   "),
                Span::styled(theme.words(&k.what).into_owned(), theme.text()),
            ])
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), body);
}
