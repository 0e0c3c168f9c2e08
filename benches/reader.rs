//! The traced program's reader: events per second from a recorded socket stream, cut into
//! lines and frames and read through the time-ordered ingest, as the reader thread does
//! (`source::traced::pump`), without the socket and the viewer.
//!
//! The stream is four threads taking and giving back two locks, 1 M events, as the shim
//! writes it: declarations as JSON lines, lock operations as frames of records (`packed`),
//! or every event as a JSON line (`json`, the framing of other events and of other writers).
//!
//! `cargo bench --bench reader`

use divan::counter::ItemsCount;
use divan::{Bencher, black_box};
use std::sync::OnceLock;
use std::time::Duration;
use threadlanes::event::{Event, ObjectKind, Op, WorkerKind};
use threadlanes::source::ingest::packed::{ACQUIRE_BEGIN, ACQUIRE_END, RECORD, RELEASE};
use threadlanes::source::ingest::{Frames, Ingest, Piece};
use threadlanes::wire;

fn main() {
    divan::main();
}

/// Lock operations in the stream (besides the declarations).
const N: usize = 1_000_000;
const PID: u32 = 4242;
const WORKERS: u32 = 4;
/// Bytes of one read of the socket (the reader's buffer).
const READ: usize = 64 << 10;
/// Records per frame (the shim sends at most 2048).
const PER_FRAME: usize = 1024;

fn declarations() -> Vec<Event> {
    let mut v = vec![];
    for w in 1..=WORKERS {
        v.push(Event {
            t: 1,
            pid: PID,
            w,
            op: Op::Worker {
                name: format!("t{w}"),
                kind: WorkerKind::Thread,
                daemon: false,
                parent: Some(0),
                thread: None,
            },
        });
    }
    for o in 1..=2 {
        v.push(Event {
            t: 1,
            pid: PID,
            w: 0,
            op: Op::Object {
                o,
                name: format!("lock-{o}"),
                kind: ObjectKind::Lock,
                capacity: None,
            },
        });
    }
    v
}

/// The lock operations: (t, w, code, o).
fn ops() -> Vec<(u64, u32, i64, u32)> {
    (0..N)
        .map(|i| {
            let round = i / 3;
            let w = 1 + (round as u32 % WORKERS);
            let o = 1 + (round as u32 / WORKERS % 2);
            let code = [ACQUIRE_BEGIN, ACQUIRE_END, RELEASE][i % 3];
            (10 + i as u64, w, code, o)
        })
        .collect()
}

fn json_line(e: &Event) -> Vec<u8> {
    let mut l = wire::encode(e).into_bytes();
    l.push(b'\n');
    l
}

fn packed_stream() -> &'static Vec<u8> {
    static S: OnceLock<Vec<u8>> = OnceLock::new();
    S.get_or_init(|| {
        let mut b: Vec<u8> = declarations().iter().flat_map(json_line).collect();
        for chunk in ops().chunks(PER_FRAME) {
            b.push(0);
            b.extend_from_slice(&PID.to_le_bytes());
            b.extend_from_slice(&((chunk.len() * RECORD) as u32).to_le_bytes());
            for &(t, w, code, o) in chunk {
                for x in [t as i64, w as i64, code, o as i64, PID as i64, 0] {
                    b.extend_from_slice(&x.to_le_bytes());
                }
            }
        }
        b
    })
}

fn json_stream() -> &'static Vec<u8> {
    static S: OnceLock<Vec<u8>> = OnceLock::new();
    S.get_or_init(|| {
        let mut b: Vec<u8> = declarations().iter().flat_map(json_line).collect();
        for &(t, w, code, o) in &ops() {
            let op = match code {
                ACQUIRE_BEGIN => Op::AcquireBegin { o },
                ACQUIRE_END => Op::AcquireEnd {
                    o,
                    ok: true,
                    depth: None,
                    value: None,
                },
                _ => Op::Release {
                    o,
                    depth: None,
                    value: None,
                },
            };
            b.extend(json_line(&Event { t, pid: PID, w, op }));
        }
        b
    })
}

/// Reads `stream` as the pump does: read by read, each piece into the ingest, and what
/// the hold lets go after each read (the clock pinned past the hold, so all of it).
/// Returns the events that came out.
fn read(stream: &[u8]) -> usize {
    let mut ingest = Ingest::timed(PID, Duration::ZERO, 0);
    let src = ingest.add_source("bench", 0);
    let mut frames = Frames::default();
    let mut events = 0;
    let mut now = 1_000_000_000u64;
    for chunk in stream.chunks(READ) {
        now += 1;
        ingest.at(now);
        let mut out = Vec::new();
        frames.push(chunk, &mut |p| match p {
            Piece::Line(l) => out.extend(ingest.line(src, l)),
            Piece::Packed { pid, records } => ingest.records(src, pid, records, &mut out),
            _ => {}
        });
        events += out.len();
        events += ingest.tick().len();
    }
    events + ingest.finish().len()
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn packed(b: Bencher) {
    let s = packed_stream();
    b.counter(ItemsCount::new(N)).bench(|| black_box(read(s)));
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn json(b: Bencher) {
    let s = json_stream();
    b.counter(ItemsCount::new(N)).bench(|| black_box(read(s)));
}
