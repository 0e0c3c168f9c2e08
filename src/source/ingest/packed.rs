//! The traced program's compact framing: its most frequent events (a lock's acquire and
//! release, an asyncio task's sleep) come as fixed-size binary records instead of JSON
//! lines, so neither the program nor the reader spends time on text for them. Internal between the shim and the reader
//! (docs/wire-format.md, "Internal framing"); `--json` output stays JSON Lines.
//!
//! A connection is JSON lines as before, and between two lines a **frame** may come: a zero
//! byte (no JSON line starts with one), the sender's pid and the frame's length in bytes
//! (each a little-endian u32), then that many bytes of records. A record is six
//! little-endian i64: `t`, `w`, the op's code, the object `o`, the object's process `opid`,
//! and one extra number (an RLock's depth plus one, 0 for none; a sleep's ms).
//!
//! [`Frames`] cuts a connection's bytes into lines and frames as they come (a frame may be
//! split across reads like a line); [`record`] reads one record into an event.

use super::lines::{Lines, MAX_LINE, Piece};
use crate::event::{Event, Op};

/// Bytes of one record.
pub const RECORD: usize = 48;

/// Bytes of a frame's header: the zero byte, the pid, the length.
const HEADER: usize = 9;

/// The ops a record may carry, by code.
pub const ACQUIRE_BEGIN: i64 = 1;
pub const ACQUIRE_END: i64 = 2;
pub const ACQUIRE_FAILED: i64 = 3;
pub const RELEASE: i64 = 4;
/// Taken at once: an acquire_begin and its acquire_end, both at `t` (one record where the
/// lock was free costs the program one record's time, not two).
pub const ACQUIRED: i64 = 5;
/// A task's sleep (the commonest await): no object (`o` 0); sleep_begin's extra number is
/// its `ms`.
pub const SLEEP_BEGIN: i64 = 6;
pub const SLEEP_END: i64 = 7;

/// One record read: the event (its pid the frame's), the acquire_end that goes with it
/// (for [`ACQUIRED`]), and the process its object belongs to.
pub struct Record {
    pub ev: Event,
    pub then: Option<Event>,
    pub opid: u32,
}

/// Reads the record at the start of `b` (at least [`RECORD`] bytes); an error says what was
/// wrong with it.
pub fn record(pid: u32, b: &[u8]) -> Result<Record, String> {
    let n = |i: usize| {
        let mut x = [0u8; 8];
        x.copy_from_slice(&b[i * 8..i * 8 + 8]);
        i64::from_le_bytes(x)
    };
    let small = |v: i64, what: &str| {
        u32::try_from(v)
            .map_err(|_| format!("record: {what} {v} is not a small non-negative number"))
    };
    let t = u64::try_from(n(0)).map_err(|_| format!("record: \"t\" {} is negative", n(0)))?;
    let w = small(n(1), "worker")?;
    let o = small(n(3), "object")?;
    let opid = small(n(4), "object's pid")?;
    let depth = || match n(5) {
        0 => Ok(None),
        d => small(d - 1, "depth").map(Some),
    };
    let mut then = None;
    let op = match n(2) {
        ACQUIRE_BEGIN => Op::AcquireBegin { o },
        ACQUIRED => {
            let op = Op::AcquireEnd {
                o,
                ok: true,
                depth: depth()?,
                value: None,
            };
            then = Some(Event { t, pid, w, op });
            Op::AcquireBegin { o }
        }
        ACQUIRE_END | ACQUIRE_FAILED => Op::AcquireEnd {
            o,
            ok: n(2) == ACQUIRE_END,
            depth: depth()?,
            value: None,
        },
        RELEASE => Op::Release {
            o,
            depth: depth()?,
            value: None,
        },
        SLEEP_BEGIN => Op::SleepBegin {
            ms: u64::try_from(n(5))
                .map_err(|_| format!("record: sleep of {} ms is negative", n(5)))?,
        },
        SLEEP_END => Op::SleepEnd,
        c => return Err(format!("record: unknown op code {c}")),
    };
    Ok(Record {
        ev: Event { t, pid, w, op },
        then,
        opid,
    })
}

/// A frame being read: its pid, the bytes it still needs, and what came of it so far
/// (only when it was split across reads).
struct Partial {
    header: Vec<u8>,
    pid: u32,
    left: usize,
    body: Vec<u8>,
}

/// One connection's bytes cut into lines and frames (see the module doc).
#[derive(Default)]
pub struct Frames {
    lines: Lines,
    frame: Option<Partial>,
    /// A frame's header made no sense: the rest of the stream cannot be cut, and is ignored.
    lost: bool,
}

impl Frames {
    /// Bytes just read: every line and frame they end goes to `f`, in order.
    pub fn push(&mut self, mut bytes: &[u8], f: &mut dyn FnMut(Piece)) {
        while !bytes.is_empty() && !self.lost {
            if self.frame.is_some() {
                bytes = self.more_frame(bytes, f);
            } else if bytes[0] == 0 && self.lines.at_start() {
                bytes = self.start_frame(bytes, f);
            } else {
                match bytes.iter().position(|&b| b == b'\n') {
                    Some(i) => {
                        self.lines.push(&bytes[..=i], f);
                        bytes = &bytes[i + 1..];
                    }
                    None => {
                        self.lines.push(bytes, f);
                        bytes = &[];
                    }
                }
            }
        }
    }

    /// The stream ended: its last line, if it did not end with a newline (a frame cut short
    /// is dropped: its process died while writing it).
    pub fn finish(&mut self, f: &mut dyn FnMut(Piece)) {
        self.frame = None;
        self.lines.finish(f);
    }

    /// A frame begins at `bytes`: whole, it goes on without a copy.
    fn start_frame<'a>(&mut self, bytes: &'a [u8], f: &mut dyn FnMut(Piece)) -> &'a [u8] {
        if bytes.len() < HEADER {
            self.frame = Some(Partial {
                header: bytes.to_vec(),
                pid: 0,
                left: 0,
                body: Vec::new(),
            });
            return &[];
        }
        let Some((pid, len)) = self.header(&bytes[..HEADER], f) else {
            return &[];
        };
        let rest = &bytes[HEADER..];
        if rest.len() >= len {
            f(Piece::Packed {
                pid,
                records: &rest[..len],
            });
            return &rest[len..];
        }
        self.frame = Some(Partial {
            header: Vec::new(),
            pid,
            left: len - rest.len(),
            body: rest.to_vec(),
        });
        &[]
    }

    /// More of a frame split across reads.
    fn more_frame<'a>(&mut self, mut bytes: &'a [u8], f: &mut dyn FnMut(Piece)) -> &'a [u8] {
        let Some(mut p) = self.frame.take() else {
            return bytes;
        };
        if !p.header.is_empty() {
            let take = (HEADER - p.header.len()).min(bytes.len());
            p.header.extend_from_slice(&bytes[..take]);
            bytes = &bytes[take..];
            if p.header.len() < HEADER {
                self.frame = Some(p);
                return bytes;
            }
            let Some((pid, len)) = self.header(&p.header, f) else {
                return &[];
            };
            (p.header, p.pid, p.left) = (Vec::new(), pid, len);
        }
        let take = p.left.min(bytes.len());
        p.body.extend_from_slice(&bytes[..take]);
        p.left -= take;
        if p.left == 0 {
            f(Piece::Packed {
                pid: p.pid,
                records: &p.body,
            });
        } else {
            self.frame = Some(p);
        }
        &bytes[take..]
    }

    /// A frame's pid and length; `None` (and the stream given up) if the length is not
    /// whole records or is past the limit a line has.
    fn header(&mut self, h: &[u8], f: &mut dyn FnMut(Piece)) -> Option<(u32, usize)> {
        let u = |i: usize| u32::from_le_bytes([h[i], h[i + 1], h[i + 2], h[i + 3]]);
        let (pid, len) = (u(1), u(5) as usize);
        if len % RECORD != 0 || len > MAX_LINE {
            self.lost = true;
            f(Piece::BadFrame(len));
            return None;
        }
        Some((pid, len))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(pid: u32, recs: &[[i64; 6]]) -> Vec<u8> {
        let mut b = vec![0u8];
        b.extend_from_slice(&pid.to_le_bytes());
        b.extend_from_slice(&((recs.len() * RECORD) as u32).to_le_bytes());
        for r in recs {
            for x in r {
                b.extend_from_slice(&x.to_le_bytes());
            }
        }
        b
    }

    /// Every piece `bytes` gives, fed `step` bytes at a time.
    fn cut(bytes: &[u8], step: usize) -> Vec<String> {
        let mut fr = Frames::default();
        let mut got = Vec::new();
        let mut take = |p: Piece| {
            got.push(match p {
                Piece::Line(l) => String::from_utf8_lossy(l).into_owned(),
                Piece::TooLong(n) => format!("too long {n}"),
                Piece::BadFrame(n) => format!("bad frame {n}"),
                Piece::Packed { pid, records } => {
                    let evs: Vec<_> = records
                        .chunks(RECORD)
                        .map(|r| format!("{:?}", record(pid, r).map(|r| r.ev.op)))
                        .collect();
                    format!("{pid}: {}", evs.join("; "))
                }
            })
        };
        for c in bytes.chunks(step) {
            fr.push(c, &mut take);
        }
        fr.finish(&mut take);
        got
    }

    #[test]
    fn lines_and_frames_come_out_in_order_however_the_reads_cut_them() {
        let mut b = b"{\"a\":1}\n".to_vec();
        b.extend(frame(
            42,
            &[
                [5, 1, ACQUIRE_BEGIN, 2, 42, 0],
                [6, 1, ACQUIRE_END, 2, 42, 2],
            ],
        ));
        b.extend(frame(
            42,
            &[[7, 1, RELEASE, 2, 42, 0], [8, 1, ACQUIRED, 2, 42, 0]],
        ));
        b.extend_from_slice(b"{\"b\":2}\n{\"c\":3}");
        let whole = cut(&b, b.len());
        assert_eq!(
            whole,
            [
                "{\"a\":1}",
                "42: Ok(AcquireBegin { o: 2 }); Ok(AcquireEnd { ok: true, o: 2, depth: Some(1), value: None })",
                "42: Ok(Release { o: 2, depth: None, value: None }); Ok(AcquireBegin { o: 2 })",
                "{\"b\":2}",
                "{\"c\":3}",
            ]
        );
        for step in [1, 2, 5, 9, 10, 47, 48, 49] {
            assert_eq!(cut(&b, step), whole, "read {step} bytes at a time");
        }
    }

    #[test]
    fn a_sleep_record_is_read_as_its_line_would_be() {
        let b = frame(
            7,
            &[
                [5, 3, SLEEP_BEGIN, 0, 7, 1500],
                [9, 3, SLEEP_END, 0, 7, 0],
                [11, 3, SLEEP_BEGIN, 0, 7, 1 << 62],
            ],
        );
        let recs = &b[HEADER..];
        let read = |i: usize| record(7, &recs[i * RECORD..]).expect("a good record");
        let lines = [
            r#"{"t":5,"pid":7,"w":3,"op":"sleep_begin","ms":1500}"#,
            r#"{"t":9,"pid":7,"w":3,"op":"sleep_end"}"#,
            r#"{"t":11,"pid":7,"w":3,"op":"sleep_begin","ms":4611686018427387904}"#,
        ];
        for (i, line) in lines.iter().enumerate() {
            let r = read(i);
            assert_eq!(
                r.ev,
                crate::wire::decode(line).expect("a good line"),
                "{line}"
            );
            assert!(r.then.is_none());
        }
    }

    #[test]
    fn a_sleep_of_negative_ms_is_a_bad_record() {
        let b = frame(7, &[[5, 3, SLEEP_BEGIN, 0, 7, -1]]);
        let err = record(7, &b[HEADER..]).err().expect("a bad record");
        assert!(err.contains("sleep of -1 ms"), "{err}");
    }

    #[test]
    fn a_frame_of_no_whole_records_is_reported_and_the_rest_is_not_read() {
        let mut b = vec![0u8, 1, 0, 0, 0, 7, 0, 0, 0];
        b.extend_from_slice(b"1234567{\"a\":1}\n");
        assert_eq!(cut(&b, 4), ["bad frame 7"]);
    }

    #[test]
    fn a_bad_record_says_what_is_wrong() {
        let b = frame(1, &[[1, -1, RELEASE, 2, 1, 0], [1, 1, 99, 2, 1, 0]]);
        let recs = &b[HEADER..];
        assert!(
            record(1, &recs[..RECORD])
                .err()
                .unwrap()
                .contains("worker -1")
        );
        assert!(
            record(1, &recs[RECORD..])
                .err()
                .unwrap()
                .contains("op code 99")
        );
    }
}
