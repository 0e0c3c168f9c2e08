//! The help overlay: every key, in a centred box over the run screen.

use super::{Theme, layout, panel, text};
use crate::view::Hint;
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
    // Two columns when one does not fit the height (80×24 has more keys than rows).
    let cols = if keys.len() + 4 > area.height as usize && keys.len() > 1 {
        2
    } else {
        1
    };
    let rows = keys.len().div_ceil(cols);
    let col_w = key_w + 3 + what_w;
    let avail = (area.width as usize).saturating_sub(4 + 2 * (cols - 1)) / cols;
    let (col_w, what_w) = if col_w > avail {
        (avail, avail.saturating_sub(key_w + 3))
    } else {
        (col_w, what_w)
    };
    let w = (col_w * cols + 2 * (cols - 1)).max(text::width(footer)) + 4;
    let h = rows + 4;
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
    let ell = theme.glyphs.ellipsis;
    let lines: Vec<Line> = (0..rows)
        .map(|r| {
            let mut spans = Vec::new();
            for c in 0..cols {
                let Some(k) = keys.get(c * rows + r) else {
                    continue;
                };
                if c > 0 {
                    spans.push(Span::raw("  "));
                }
                spans.push(Span::styled(
                    text::pad(&theme.words(k.key), key_w, ""),
                    theme.key(),
                ));
                spans.push(Span::raw("   "));
                spans.push(Span::styled(
                    text::pad(&theme.words(&k.what), what_w, ell),
                    theme.text(),
                ));
            }
            Line::from(spans)
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), body);
}
