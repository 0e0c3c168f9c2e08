//! Text written straight into the frame's buffer: what a `Paragraph` of unwrapped lines
//! draws, cell for cell, without its line layout (a grapheme iterator and a truncator per
//! line), which was a good part of a busy frame. Printable ASCII — most of what the panels
//! show — goes a byte a cell; anything else through ratatui's own `set_stringn`.

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::{Alignment, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

/// Draws `lines` top-down in `area` over `style`, as `Paragraph::new(lines).style(style)`
/// would. Lines aligned other than left, and areas too narrow for a wide character, go
/// through the paragraph itself.
pub fn lines(frame: &mut Frame, area: Rect, lines: Vec<Line>, style: Style) {
    let left = |l: &Line| l.alignment.is_none_or(|a| a == Alignment::Left);
    if area.width < 2 || !lines.iter().all(left) {
        frame.render_widget(Paragraph::new(lines).style(style), area);
        return;
    }
    let buf = frame.buffer_mut();
    let area = area.intersection(buf.area);
    buf.set_style(area, style);
    for (y, l) in (area.y..area.bottom()).zip(&lines) {
        line(buf, (area.x, y), l, area.width);
    }
}

/// Writes one line from `at`, at most `width` cells, as `Buffer::set_line` does; returns
/// the column after it.
pub fn line(buf: &mut Buffer, at: (u16, u16), line: &Line, width: u16) -> u16 {
    let (mut x, y) = at;
    let mut left = width;
    for span in line {
        if left == 0 {
            break;
        }
        let style = line.style.patch(span.style);
        let s = span.content.as_ref();
        let next = if s.bytes().all(|b| (b' '..=b'~').contains(&b)) {
            // One byte, one grapheme, one cell.
            let n = s
                .len()
                .min(left as usize)
                .min(buf.area.right().saturating_sub(x) as usize);
            if n > 0 {
                // Cells of a row are contiguous: index the row once, not each cell.
                let row = buf.index_of(x, y);
                for (i, cell) in buf.content[row..row + n].iter_mut().enumerate() {
                    cell.set_symbol(&s[i..i + 1]).set_style(style);
                }
            }
            x + n as u16
        } else {
            buf.set_stringn(x, y, s, left as usize, style).0
        };
        left = left.saturating_sub(next.saturating_sub(x));
        x = next;
    }
    x
}
