//! What the reader took from the program's connections while the viewer had no room for
//! more, kept as it was read, to be read again later as if it arrived then.
//!
//! A lossless viewer (headless) may fold events more slowly than a program makes them.
//! Rather than stop reading (the program would then wait on its full socket, and run slower
//! than untraced), the reader goes on reading and puts the raw bytes here, each chunk with
//! the connection it came from and the time of the pass that read it. Replayed in order,
//! the chunks go through the ingest exactly as they would have: same bytes, same
//! connections, same pass times, so the same events in the same order.
//!
//! The bytes go to a file (unlinked as soon as it is open, so nothing is left behind) and
//! only their place is kept in memory: memory stays flat however far behind the viewer is.
//! Raw bytes cost the reader a write, not a parse (a lock round is two 48-byte records). If
//! the file cannot be made or written, a chunk is kept in memory instead: nothing is lost.

use crate::source::ingest::StreamId;
use std::collections::VecDeque;
use std::fs::{File, OpenOptions};
use std::os::unix::fs::FileExt;
use std::path::PathBuf;

/// One chunk, replayed.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Chunk {
    /// Bytes of `src` read in the pass at `pass` (they are in the buffer given to `next`).
    Bytes { src: StreamId, pass: u64 },
    /// `src`'s process closed its connection (seen in the pass at `pass`).
    Closed { src: StreamId, pass: u64 },
}

/// Where one chunk's bytes are.
enum Kept {
    File { at: u64, len: usize },
    Memory(Vec<u8>),
    None,
}

struct Entry {
    src: StreamId,
    pass: u64,
    closed: bool,
    kept: Kept,
}

pub(super) struct Backlog {
    path: PathBuf,
    file: Option<File>,
    /// The file could not be made or written: chunks stay in memory from then on.
    failed: bool,
    /// Where the next chunk's bytes go in the file.
    end: u64,
    entries: VecDeque<Entry>,
}

impl Backlog {
    /// A backlog whose file will be `path` (made on first use: most runs never need it).
    pub fn new(path: PathBuf) -> Backlog {
        Backlog {
            path,
            file: None,
            failed: false,
            end: 0,
            entries: VecDeque::new(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Bytes of `src`, read in the pass at `pass`.
    pub fn push(&mut self, src: StreamId, pass: u64, bytes: &[u8]) {
        let kept = match self.write(bytes) {
            Some(at) => Kept::File {
                at,
                len: bytes.len(),
            },
            None => Kept::Memory(bytes.to_vec()),
        };
        self.entries.push_back(Entry {
            src,
            pass,
            closed: false,
            kept,
        });
    }

    /// `src`'s process closed its connection, after the bytes pushed so far.
    pub fn closed(&mut self, src: StreamId, pass: u64) {
        self.entries.push_back(Entry {
            src,
            pass,
            closed: true,
            kept: Kept::None,
        });
    }

    /// The oldest chunk, its bytes (if any) in `buf`. Once the last one is taken, the file
    /// is emptied, so a run that falls behind often does not grow it for ever.
    pub fn next(&mut self, buf: &mut Vec<u8>) -> Option<Chunk> {
        let e = self.entries.pop_front()?;
        buf.clear();
        match e.kept {
            Kept::File { at, len } => {
                buf.resize(len, 0);
                let read = self.file.as_ref().map(|f| f.read_exact_at(buf, at));
                if !matches!(read, Some(Ok(()))) {
                    // Written but not readable again: the bytes are gone, and the ingest
                    // reports what it makes of the cut (a broken frame or line).
                    buf.clear();
                }
            }
            Kept::Memory(bytes) => *buf = bytes,
            Kept::None => {}
        }
        if self.entries.is_empty() {
            self.end = 0;
            if let Some(f) = &self.file {
                let _ = f.set_len(0);
            }
        }
        let (src, pass) = (e.src, e.pass);
        Some(if e.closed {
            Chunk::Closed { src, pass }
        } else {
            Chunk::Bytes { src, pass }
        })
    }

    /// Writes `bytes` at the end of the file; where, or None if it cannot.
    fn write(&mut self, bytes: &[u8]) -> Option<u64> {
        if self.file.is_none() && !self.failed {
            self.file = self.open();
            self.failed = self.file.is_none();
        }
        let f = self.file.as_ref()?;
        if f.write_all_at(bytes, self.end).is_err() {
            self.failed = true;
            return None;
        }
        let at = self.end;
        self.end += bytes.len() as u64;
        Some(at)
    }

    fn open(&self) -> Option<File> {
        let f = OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&self.path)
            .ok()?;
        // Open is all it needs: with no name, the file goes when the reader does.
        let _ = std::fs::remove_file(&self.path);
        Some(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(name: &str) -> PathBuf {
        std::env::temp_dir().join(format!("threadlanes-backlog-{}-{name}", std::process::id()))
    }

    fn replay(b: &mut Backlog) -> Vec<(Chunk, Vec<u8>)> {
        let mut buf = Vec::new();
        let mut got = Vec::new();
        while let Some(c) = b.next(&mut buf) {
            got.push((c, buf.clone()));
        }
        got
    }

    #[test]
    fn chunks_come_back_in_order_with_their_bytes_and_the_file_leaves_no_name() {
        let p = path("order");
        let mut b = Backlog::new(p.clone());
        assert!(b.is_empty());
        b.push(StreamId(0), 10, b"first");
        b.push(StreamId(1), 11, b"second");
        b.closed(StreamId(0), 12);
        b.push(StreamId(1), 13, b"");
        assert!(!p.exists(), "the file has no name once open");
        let got = replay(&mut b);
        let want = vec![
            (
                Chunk::Bytes {
                    src: StreamId(0),
                    pass: 10,
                },
                b"first".to_vec(),
            ),
            (
                Chunk::Bytes {
                    src: StreamId(1),
                    pass: 11,
                },
                b"second".to_vec(),
            ),
            (
                Chunk::Closed {
                    src: StreamId(0),
                    pass: 12,
                },
                vec![],
            ),
            (
                Chunk::Bytes {
                    src: StreamId(1),
                    pass: 13,
                },
                vec![],
            ),
        ];
        assert_eq!(got, want);
        assert!(b.is_empty());
        // Emptied: the next chunk starts the file again.
        b.push(StreamId(2), 14, b"again");
        assert_eq!(b.end, 5);
        assert_eq!(replay(&mut b)[0].1, b"again");
    }

    #[test]
    fn without_a_file_the_chunks_are_kept_in_memory() {
        let mut b = Backlog::new(PathBuf::from("/nonexistent-dir/backlog"));
        b.push(StreamId(0), 1, b"kept");
        b.push(StreamId(0), 2, b"all the same");
        let got: Vec<Vec<u8>> = replay(&mut b).into_iter().map(|(_, b)| b).collect();
        assert_eq!(got, [b"kept".to_vec(), b"all the same".to_vec()]);
    }
}
