//! asciicast v2 (the format asciinema and agg read): a JSON header line, then one
//! `[time, "o", data]` line per frame, where `data` is the ANSI text that turns the previous
//! frame into this one. Pure: frames in, text out; the caller says what time each frame is.
//!
//! The first frame clears the screen and draws every cell that is not blank; each later frame
//! draws only the cells that changed (cursor moves, SGR colours, the symbols) and ends with
//! an SGR reset, so any frame can be read on its own terms. A frame with no change writes
//! nothing. No wall-clock time goes into the file.
//!
//! Below both its writers: `threadlanes record` (src/record, a reproducible screencast) and
//! Ctrl-R in the TUI ([`live`], a recording of the session as it goes).

pub mod live;

use ratatui::buffer::{Buffer, Cell};
use ratatui::style::{Color, Modifier};
use ratatui::text::Span;
use serde_json::{Map, Value, json};
use std::fmt::Write as _;

/// An asciicast v2 file being written.
pub struct Cast {
    text: String,
    shown: Buffer,
    frames: usize,
    last_ms: u64,
}

impl Cast {
    /// A cast of a `width`×`height` terminal; `title` and `command` go in the header.
    pub fn new(width: u16, height: u16, title: &str, command: &str) -> Cast {
        let mut h = Map::new();
        h.insert("version".into(), json!(2));
        h.insert("width".into(), json!(width));
        h.insert("height".into(), json!(height));
        h.insert("title".into(), json!(title));
        h.insert("command".into(), json!(command));
        h.insert(
            "env".into(),
            json!({"TERM": "xterm-256color", "SHELL": "/bin/sh"}),
        );
        let mut text = Value::Object(h).to_string();
        text.push('\n');
        let area = ratatui::layout::Rect::new(0, 0, width, height);
        Cast {
            text,
            shown: Buffer::empty(area),
            frames: 0,
            last_ms: 0,
        }
    }

    /// Adds the frame `buf` at `ms` milliseconds into the cast (never before the last one).
    /// Returns whether anything changed on screen.
    pub fn frame(&mut self, ms: u64, buf: &Buffer) -> bool {
        let first = self.frames == 0;
        let mut data = String::new();
        if first {
            // Hide the cursor, home, clear.
            data.push_str("\x1b[?25l\x1b[H\x1b[2J");
        }
        let resized = self.shown.area != buf.area;
        if resized && !first {
            // The terminal changed size (live recording): say so, then draw it all anew.
            let size = format!("{}x{}", buf.area.width, buf.area.height);
            let line = json!([ms.max(self.last_ms) as f64 / 1000.0, "r", size]);
            self.text.push_str(&line.to_string());
            self.text.push('\n');
            data.push_str("\x1b[H\x1b[2J");
        }
        let blank = Buffer::empty(buf.area);
        let updates = if resized {
            blank.diff(buf)
        } else {
            self.shown.diff(buf)
        };
        if updates.is_empty() && !first {
            return false;
        }
        encode(&mut data, &updates);
        self.shown = buf.clone();
        self.push(ms, &data);
        self.frames += 1;
        true
    }

    /// A last event that shows the cursor again, so a player leaves the terminal usable.
    pub fn finish(mut self, ms: u64) -> String {
        self.push(ms, "\x1b[0m\x1b[?25h");
        self.text
    }

    /// Takes the text written so far (the header first), for writing a cast as it goes.
    pub fn drain(&mut self) -> String {
        std::mem::take(&mut self.text)
    }

    /// Frames written so far (unchanged frames are not written).
    pub fn frames(&self) -> usize {
        self.frames
    }

    fn push(&mut self, ms: u64, data: &str) {
        let ms = ms.max(self.last_ms);
        self.last_ms = ms;
        let line = json!([ms as f64 / 1000.0, "o", data]);
        self.text.push_str(&line.to_string());
        self.text.push('\n');
    }
}

/// ANSI text that writes `updates` (cells in row order, as `Buffer::diff` gives them).
fn encode(out: &mut String, updates: &[(u16, u16, &Cell)]) {
    let mut cursor: Option<(u16, u16)> = None;
    let mut style: Option<(Color, Color, Modifier)> = None;
    for &(x, y, cell) in updates {
        if cursor != Some((x, y)) {
            let _ = write!(out, "\x1b[{};{}H", y + 1, x + 1);
        }
        let s = (cell.fg, cell.bg, cell.modifier);
        if style != Some(s) {
            sgr(out, s);
            style = Some(s);
        }
        let sym = cell.symbol();
        out.push_str(sym);
        let w = Span::raw(sym).width().max(1) as u16;
        cursor = Some((x + w, y));
    }
    if style.is_some() {
        out.push_str("\x1b[0m");
    }
}

/// One SGR sequence that sets exactly this style (from a reset).
fn sgr(out: &mut String, (fg, bg, m): (Color, Color, Modifier)) {
    out.push_str("\x1b[0");
    for (flag, code) in [
        (Modifier::BOLD, 1),
        (Modifier::DIM, 2),
        (Modifier::ITALIC, 3),
        (Modifier::UNDERLINED, 4),
        (Modifier::SLOW_BLINK, 5),
        (Modifier::RAPID_BLINK, 6),
        (Modifier::REVERSED, 7),
        (Modifier::HIDDEN, 8),
        (Modifier::CROSSED_OUT, 9),
    ] {
        if m.contains(flag) {
            let _ = write!(out, ";{code}");
        }
    }
    colour(out, fg, false);
    colour(out, bg, true);
    out.push('m');
}

fn colour(out: &mut String, c: Color, bg: bool) {
    let base = if bg { 10 } else { 0 };
    let code = match c {
        Color::Reset => return,
        Color::Black => 30,
        Color::Red => 31,
        Color::Green => 32,
        Color::Yellow => 33,
        Color::Blue => 34,
        Color::Magenta => 35,
        Color::Cyan => 36,
        Color::Gray => 37,
        Color::DarkGray => 90,
        Color::LightRed => 91,
        Color::LightGreen => 92,
        Color::LightYellow => 93,
        Color::LightBlue => 94,
        Color::LightMagenta => 95,
        Color::LightCyan => 96,
        Color::White => 97,
        Color::Indexed(i) => {
            let _ = write!(out, ";{};5;{i}", 38 + base);
            return;
        }
        Color::Rgb(r, g, b) => {
            let _ = write!(out, ";{};2;{r};{g};{b}", 38 + base);
            return;
        }
    };
    let _ = write!(out, ";{}", code + base);
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::layout::Rect;
    use ratatui::style::Style;

    #[test]
    fn frames_are_diffs_and_unchanged_frames_write_nothing() {
        let area = Rect::new(0, 0, 10, 2);
        let mut b = Buffer::empty(area);
        b.set_string(0, 0, "hi", Style::default().fg(Color::Red));
        let mut c = Cast::new(10, 2, "t", "c");
        assert!(c.frame(0, &b));
        assert!(!c.frame(100, &b));
        b.set_string(0, 1, "yo", Style::default());
        assert!(c.frame(200, &b));
        let text = c.finish(300);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 4, "{text}");
        assert!(lines[0].starts_with("{\"version\":2,\"width\":10,\"height\":2"));
        assert!(
            lines[1].contains("\\u001b[1;1H\\u001b[0;31mhi"),
            "{}",
            lines[1]
        );
        assert!(lines[2].starts_with("[0.2,"));
        assert!(
            lines[2].contains("\\u001b[2;1H\\u001b[0myo"),
            "{}",
            lines[2]
        );
    }

    #[test]
    fn a_resize_is_an_r_event_and_a_full_redraw_and_drain_streams() {
        let mut c = Cast::new(4, 1, "t", "c");
        let mut b = Buffer::empty(Rect::new(0, 0, 4, 1));
        b.set_string(0, 0, "ab", Style::default());
        c.frame(0, &b);
        let head = c.drain();
        assert_eq!(head.lines().count(), 2);
        let mut big = Buffer::empty(Rect::new(0, 0, 6, 2));
        big.set_string(0, 0, "ab", Style::default());
        assert!(c.frame(50, &big));
        let rest = c.finish(60);
        let lines: Vec<&str> = rest.lines().collect();
        assert_eq!(lines[0], r#"[0.05,"r","6x2"]"#);
        assert!(lines[1].contains("\\u001b[2J"), "{}", lines[1]);
        assert!(lines[1].contains("ab"), "{}", lines[1]);
    }
}
