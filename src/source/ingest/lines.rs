//! One stream's bytes cut into lines as they come. Each byte is looked at once (only the
//! bytes just read are searched for a newline), and a line longer than [`MAX_LINE`] is
//! skipped as it comes: only its length is kept, so a stream that never writes a newline
//! costs neither memory nor time beyond its bytes. Does no I/O and knows nothing of JSON.

/// The longest line a stream may send, in bytes (without its newline). The wire format
/// documents it (docs/wire-format.md); a longer line is reported with its length and skipped.
pub const MAX_LINE: usize = 1 << 20;

/// What a read gave: a whole line, or the length of one too long to keep; or, from a
/// traced program's connection (see [`super::packed`]), a frame of records or a frame
/// whose length made no sense.
#[derive(Debug, PartialEq, Eq)]
pub enum Piece<'a> {
    Line(&'a [u8]),
    TooLong(usize),
    Packed { pid: u32, records: &'a [u8] },
    BadFrame(usize),
}

#[derive(Default)]
pub struct Lines {
    /// The start of the line being read: never a newline in it, never past [`MAX_LINE`].
    pending: Vec<u8>,
    /// A line past the limit is being skipped: its length so far.
    skipping: Option<usize>,
}

/// Past this, an emptied buffer gives its memory back (one long line must not pin a MiB
/// per connection for the rest of the run).
const KEEP_CAPACITY: usize = 64 << 10;

impl Lines {
    /// Bytes just read: every line they end goes to `f`, in order.
    pub fn push(&mut self, mut bytes: &[u8], f: &mut dyn FnMut(Piece)) {
        while let Some(i) = bytes.iter().position(|&b| b == b'\n') {
            let part = &bytes[..i];
            bytes = &bytes[i + 1..];
            let len = self.pending.len() + part.len();
            if let Some(n) = self.skipping.take() {
                f(Piece::TooLong(n + part.len()));
            } else if len > MAX_LINE {
                self.clear();
                f(Piece::TooLong(len));
            } else if self.pending.is_empty() {
                f(Piece::Line(part));
            } else {
                self.pending.extend_from_slice(part);
                f(Piece::Line(&self.pending));
                self.clear();
            }
        }
        if let Some(n) = &mut self.skipping {
            *n += bytes.len();
        } else if self.pending.len() + bytes.len() > MAX_LINE {
            self.skipping = Some(self.pending.len() + bytes.len());
            self.clear();
        } else {
            self.pending.extend_from_slice(bytes);
        }
    }

    /// The stream ended: its last line, if it did not end with a newline.
    pub fn finish(&mut self, f: &mut dyn FnMut(Piece)) {
        if let Some(n) = self.skipping.take() {
            f(Piece::TooLong(n));
        } else if !self.pending.is_empty() {
            f(Piece::Line(&self.pending));
        }
        self.clear();
    }

    /// Nothing of a line is held: the next byte starts one (or a frame).
    pub fn at_start(&self) -> bool {
        self.pending.is_empty() && self.skipping.is_none()
    }

    /// Bytes held for the line being read.
    pub fn kept(&self) -> usize {
        self.pending.capacity()
    }

    fn clear(&mut self) {
        self.pending.clear();
        if self.pending.capacity() > KEEP_CAPACITY {
            self.pending = Vec::new();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feed(lines: &mut Lines, bytes: &[u8], got: &mut Vec<String>) {
        lines.push(bytes, &mut |p| {
            got.push(match p {
                Piece::Line(l) => String::from_utf8_lossy(l).into_owned(),
                Piece::TooLong(n) => format!("too long: {n}"),
                other => format!("{other:?}"),
            })
        });
    }

    #[test]
    fn lines_split_across_reads_come_out_whole() {
        let mut lines = Lines::default();
        let mut got = Vec::new();
        feed(&mut lines, b"ab", &mut got);
        feed(&mut lines, b"c\nd\n\nef", &mut got);
        lines.finish(&mut |p| {
            if let Piece::Line(l) = p {
                got.push(String::from_utf8_lossy(l).into_owned())
            }
        });
        assert_eq!(got, ["abc", "d", "", "ef"]);
    }

    #[test]
    fn a_line_past_the_limit_is_skipped_with_its_length_and_nothing_of_it_is_kept() {
        let mut lines = Lines::default();
        let mut got = Vec::new();
        let chunk = vec![b'x'; 64 << 10];
        let mut most = 0;
        for _ in 0..320 {
            feed(&mut lines, &chunk, &mut got);
            most = most.max(lines.kept());
        }
        feed(&mut lines, b"tail\n{\"ok\":1}\n", &mut got);
        assert_eq!(
            got,
            [
                format!("too long: {}", 320 * (64 << 10) + 4),
                "{\"ok\":1}".into()
            ]
        );
        assert!(most <= MAX_LINE, "kept {most} bytes");
        assert!(lines.kept() <= KEEP_CAPACITY);
    }

    #[test]
    fn a_line_of_exactly_the_limit_is_kept() {
        let mut lines = Lines::default();
        let mut got = Vec::new();
        let mut line = vec![b'y'; MAX_LINE];
        line.push(b'\n');
        feed(&mut lines, &line[..10], &mut got);
        feed(&mut lines, &line[10..], &mut got);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].len(), MAX_LINE);
    }
}
