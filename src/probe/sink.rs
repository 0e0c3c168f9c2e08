//! Where a session's events go: per-thread rings merged into one stream in a true order.
//!
//! Every event takes a number from one global counter at the moment it happens — inside the
//! primitive's own lock, where the channel send used to be — so the numbers are a total order
//! that agrees with every lock hand-off and with each thread's program order (one atomic's
//! modification order is consistent with happens-before). The event then goes into its
//! thread's own single-producer ring: no lock, no allocation, no syscall on the hot path.
//!
//! The viewer ([`Events`]) pulls: each read moves whatever the rings hold into a reorder
//! buffer and hands out events strictly by number, stopping at a gap (a number taken whose
//! event is not in its ring yet, a few instructions away). Timestamps are made monotonic in
//! that order, as the old single channel did.
//!
//! A full ring makes its producer wait for the viewer (backpressure): the viewer's reads
//! then bound what is in flight to the rings' capacity, so a run that makes events faster than
//! they are shown slows down instead of piling them up in memory. The wait gives up, and the
//! event goes to an unbounded side list instead, once the run is stopping (nobody may be
//! reading then, and a stop must never wait for a viewer) or nobody watches any more.
//!
//! With no viewer (the `Events` dropped, or a session made without one) emitting is one
//! relaxed load.

use crate::event::{Event, Op, WorkerId};
use crossbeam_channel::{RecvTimeoutError, TryRecvError};
use parking_lot::{Condvar, Mutex};
use rtrb::{Consumer, Producer, PushError, RingBuffer};
use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Events one thread may have in flight before it drains its own ring.
pub(crate) const RING: usize = 256;

/// Longest a producer waits for room before its event goes to the side list instead.
const GIVE_UP: Duration = Duration::from_millis(200);

/// Events a reader takes under one lock.
pub const BATCH: usize = 512;

/// What a batch slot holds once its event has been handed out.
const PLACEHOLDER: Event = Event {
    t: 0,
    pid: 0,
    w: 0,
    op: crate::event::Op::Start,
};

/// An event and its place in the true order.
type Numbered = (u64, Event);

/// What a thread's ring holds: an event without its `pid` and `w`, which are the ring's
/// (kept once, beside its consumer). 64 bytes, where `Numbered` is 72: less to move on the
/// producer's path (rtrb's slots are only 8-aligned, so not always one cache line each).
pub(crate) struct Entry {
    n: u64,
    t: u64,
    op: Op,
}

const _: () = assert!(std::mem::size_of::<Entry>() <= 64);

/// A thread's ring, as the viewer reads it.
struct Ring {
    c: Consumer<Entry>,
    pid: u32,
    w: WorkerId,
}

impl Entry {
    /// The event again, with the `pid` and `w` of the ring it came through.
    fn event(self, pid: u32, w: WorkerId) -> Numbered {
        let ev = Event {
            t: self.t,
            pid,
            w,
            op: self.op,
        };
        (self.n, ev)
    }
}

#[derive(Default)]
struct Merge {
    /// The consumer end of every live thread's ring.
    rings: Vec<Ring>,
    /// Taken out of the rings but not in order yet (a number before them is missing).
    pending: Vec<Numbered>,
    /// In order, for the viewer.
    ready: VecDeque<Event>,
    /// The next number to hand out.
    next: u64,
    /// The latest timestamp handed out: timestamps never go back in stream order.
    last_t: u64,
}

/// `Sink::noisy` bits: someone reads the events; a worker of the run was told to stop.
pub(crate) const VIEWER: u32 = 1;
pub(crate) const STOPPING: u32 = 2;

pub(crate) struct Sink {
    seq: AtomicU64,
    /// `VIEWER` while someone reads the events; `STOPPING` (for good) once any worker of the
    /// run was cancelled or killed. Zero: a primitive's fast path may skip the events and the
    /// stop checks (with the gate open too), so this one load is all it asks.
    noisy: AtomicU32,
    merge: Mutex<Merge>,
    /// Events from threads without a ring of their own (declarations from the app's thread,
    /// a worker's start and exit), and from full rings once the run is stopping.
    slow: Mutex<Vec<Numbered>>,
    /// The run is stopping: full rings no longer wait for the viewer.
    closing: AtomicBool,
    /// A producer gave up waiting for the viewer; cleared when the viewer reads again.
    stalled: AtomicBool,
    /// Counts the viewer's reads: a producer waiting for room keeps waiting while it moves
    /// (the viewer is busy with earlier events, not stuck), however slow each batch is.
    reads: AtomicU64,
    /// Producers waiting for room in their ring, and where they wait.
    waiting: AtomicUsize,
    room: Mutex<()>,
    roomy: Condvar,
}

/// One thread's end of its ring, and whose events go through it.
pub(crate) struct Lane {
    ring: Producer<Entry>,
    pid: u32,
    w: WorkerId,
}

impl Sink {
    pub(crate) fn new(viewer: bool) -> Arc<Sink> {
        Arc::new(Sink {
            seq: AtomicU64::new(0),
            noisy: AtomicU32::new(if viewer { VIEWER } else { 0 }),
            merge: Mutex::new(Merge::default()),
            slow: Mutex::new(Vec::new()),
            closing: AtomicBool::new(false),
            stalled: AtomicBool::new(false),
            reads: AtomicU64::new(0),
            waiting: AtomicUsize::new(0),
            room: Mutex::new(()),
            roomy: Condvar::new(),
        })
    }

    /// The run is stopping: from now on a full ring never waits for the viewer.
    pub(crate) fn close(&self) {
        self.closing.store(true, Ordering::SeqCst);
        self.wake_producers();
    }

    fn wake_producers(&self) {
        // The fence orders the pops before it with the load below (a store then a load may
        // pass each other otherwise): a producer that saw its ring full has announced its
        // wait by then, or sees the room we made.
        std::sync::atomic::fence(Ordering::SeqCst);
        if self.waiting.load(Ordering::SeqCst) > 0 {
            let _g = self.room.lock();
            self.roomy.notify_all();
        }
    }

    #[inline]
    pub(crate) fn watched(&self) -> bool {
        self.noisy.load(Ordering::Relaxed) & VIEWER != 0
    }

    /// The word a primitive's fast path reads (see `noisy`).
    pub(crate) fn noisy(&self) -> &AtomicU32 {
        &self.noisy
    }

    /// A worker of the run must stop: fast paths end for the rest of the run, so the
    /// worker's next operation sees its stop flag however tight its loop.
    pub(crate) fn stopping(&self) {
        self.noisy.fetch_or(STOPPING, Ordering::SeqCst);
    }

    /// The next number in the true order. Call it where the operation takes effect (with
    /// the primitive's lock held) and send the event it numbers, always.
    #[inline]
    fn number(&self) -> u64 {
        // Relaxed is enough: the read-modify-writes of one atomic are totally ordered, and
        // that order agrees with happens-before.
        self.seq.fetch_add(1, Ordering::Relaxed)
    }

    /// A ring for the calling thread, which runs worker `w` of process `pid`.
    pub(crate) fn lane(&self, pid: u32, w: WorkerId) -> Lane {
        let (ring, c) = RingBuffer::new(RING);
        self.merge.lock().rings.push(Ring { c, pid, w });
        Lane { ring, pid, w }
    }

    /// Sends an event through the calling thread's ring; if the ring is full, waits for the
    /// viewer to make room, unless `stopping()` says this worker must stop. The caller has
    /// just checked `watched()` (the one check on the path: `CurrentWorker::emit`). `ev` gives the
    /// event's timestamp and op (its `pid` and `w` are the lane's).
    #[inline]
    pub(crate) fn send(
        &self,
        lane: &mut Lane,
        ev: impl FnOnce() -> (u64, Op),
        stopping: impl Fn() -> bool,
    ) {
        let n = self.number();
        let (t, op) = ev();
        self.push(lane, Entry { n, t, op }, &stopping);
    }

    /// Sends two events that happen at one instant (an acquire that did not wait): one
    /// number for both and one timestamp, in the order given. The caller has just checked
    /// `watched()`, as for `send`.
    #[inline]
    pub(crate) fn send_pair(
        &self,
        lane: &mut Lane,
        evs: impl FnOnce() -> (u64, Op, Op),
        stopping: impl Fn() -> bool,
    ) {
        let n = self.seq.fetch_add(2, Ordering::Relaxed);
        let (t, a, b) = evs();
        self.push(lane, Entry { n, t, op: a }, &stopping);
        self.push(lane, Entry { n: n + 1, t, op: b }, &stopping);
    }

    #[inline]
    fn push(&self, lane: &mut Lane, item: Entry, stopping: &dyn Fn() -> bool) {
        if let Err(PushError::Full(item)) = lane.ring.push(item) {
            self.full(lane, item, stopping);
        }
    }

    /// Waits for room in a full ring. The event already has its number, so it is never
    /// dropped while someone watches: a gap would stop the stream there for good.
    #[cold]
    fn full(&self, lane: &mut Lane, mut item: Entry, stopping: &dyn Fn() -> bool) {
        let mut since = Instant::now();
        let mut reads = self.reads.load(Ordering::Relaxed);
        loop {
            if !self.watched() {
                return;
            }
            // A viewer that has not read for this long may be waiting for us: the producer
            // can hold a primitive's mutex here, and the viewer's thread may need it (waking
            // workers on a mode change, asking who is ready in step mode). Then the event
            // goes to the side list rather than anyone waiting forever. A viewer that still
            // reads is only slow (a debug build writing JSON): waiting on keeps memory flat.
            // Once one producer has given up, the others do at once until the viewer reads
            // again: each waiting in turn would stall everyone for a long time.
            let now_reads = self.reads.load(Ordering::Relaxed);
            if now_reads != reads {
                (reads, since) = (now_reads, Instant::now());
            }
            let stuck = self.stalled.load(Ordering::Relaxed) || since.elapsed() >= GIVE_UP;
            if stuck {
                self.stalled.store(true, Ordering::Relaxed);
            }
            if stuck || self.closing.load(Ordering::SeqCst) || stopping() {
                self.slow.lock().push(item.event(lane.pid, lane.w));
                return;
            }
            let mut g = self.room.lock();
            self.waiting.fetch_add(1, Ordering::SeqCst);
            // Checked after announcing the wait: a viewer that made room before it saw us
            // is caught here; one after it will notify. The timeout covers a stop, whose
            // flags are not this lock's.
            if lane.ring.is_full() {
                self.roomy.wait_for(&mut g, Duration::from_millis(5));
            }
            self.waiting.fetch_sub(1, Ordering::SeqCst);
            drop(g);
            match lane.ring.push(item) {
                Ok(()) => return,
                Err(PushError::Full(back)) => item = back,
            }
        }
    }

    /// Sends an event from a thread that has no ring (rare operations).
    pub(crate) fn send_slow(&self, ev: impl FnOnce() -> Event) {
        if !self.watched() {
            return;
        }
        let mut slow = self.slow.lock();
        let n = self.number();
        slow.push((n, ev()));
    }
}

impl Merge {
    /// Moves what the rings hold into order, and the ordered prefix to `ready`.
    fn collect(&mut self, sink: &Sink) {
        let slow = &sink.slow;
        let before = self.pending.len();
        let pending = &mut self.pending;
        self.rings.retain_mut(|r| {
            // All the ring holds in one chunk: one release of its slots, not one per event.
            if let Ok(chunk) = r.c.read_chunk(r.c.slots()) {
                let (pid, w) = (r.pid, r.w);
                pending.extend(chunk.into_iter().map(|e| e.event(pid, w)));
            }
            !r.c.is_abandoned() || !r.c.is_empty()
        });
        pending.append(&mut slow.lock());
        sink.stalled.store(false, Ordering::Relaxed);
        if pending.len() == before {
            return;
        }
        sink.wake_producers();
        // Each ring is already in order: a stable sort merges those runs cheaply.
        pending.sort_by_key(|x| x.0);
        let k = pending
            .iter()
            .enumerate()
            .take_while(|(i, x)| x.0 == self.next + *i as u64)
            .count();
        self.next += k as u64;
        for (_, mut ev) in pending.drain(..k) {
            ev.t = ev.t.max(self.last_t);
            self.last_t = ev.t;
            self.ready.push_back(ev);
        }
    }
}

/// The viewer's end: the run's events in a true order of the operations. The same calls as
/// a crossbeam `Receiver` (`try_recv`, `recv_timeout`, `try_iter`, `is_empty`); dropping it
/// tells the probe nobody is watching, and from then on it builds no events.
pub struct Events {
    sink: Arc<Sink>,
}

impl Events {
    pub(crate) fn new(sink: Arc<Sink>) -> Events {
        Events { sink }
    }

    /// No producer left: the session and every worker of it are gone.
    fn disconnected(&self) -> bool {
        Arc::strong_count(&self.sink) == 1
    }

    pub fn try_recv(&self) -> Result<Event, TryRecvError> {
        let mut m = self.sink.merge.lock();
        self.sink.reads.fetch_add(1, Ordering::Relaxed);
        if m.ready.is_empty() {
            let gone = self.disconnected();
            m.collect(&self.sink);
            if m.ready.is_empty() {
                return Err(if gone {
                    TryRecvError::Disconnected
                } else {
                    TryRecvError::Empty
                });
            }
        }
        Ok(m.ready.pop_front().expect("not empty"))
    }

    /// Waits up to `timeout` for an event. Polls (every 0.5 ms): producers never wake the
    /// viewer, which keeps their path free of syscalls.
    pub fn recv_timeout(&self, timeout: Duration) -> Result<Event, RecvTimeoutError> {
        let deadline = Instant::now() + timeout;
        loop {
            match self.try_recv() {
                Ok(ev) => return Ok(ev),
                Err(TryRecvError::Disconnected) => return Err(RecvTimeoutError::Disconnected),
                Err(TryRecvError::Empty) => {}
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(RecvTimeoutError::Timeout);
            }
            std::thread::sleep((deadline - now).min(Duration::from_micros(500)));
        }
    }

    /// Moves up to `max` events available now, in order, to the end of `out`, under one
    /// lock; returns how many. The viewer's fast path: one lock a batch, not one an event.
    pub fn recv_batch(&self, out: &mut Vec<Event>, max: usize) -> usize {
        let mut m = self.sink.merge.lock();
        self.sink.reads.fetch_add(1, Ordering::Relaxed);
        if m.ready.len() < max {
            m.collect(&self.sink);
        }
        let n = m.ready.len().min(max);
        out.extend(m.ready.drain(..n));
        n
    }

    /// Every event available now, in order (read in batches).
    pub fn try_iter(&self) -> impl Iterator<Item = Event> + '_ {
        let mut buf: Vec<Event> = Vec::new();
        let mut next = 0;
        std::iter::from_fn(move || {
            if next == buf.len() {
                buf.clear();
                next = 0;
                if self.recv_batch(&mut buf, BATCH) == 0 {
                    return None;
                }
            }
            next += 1;
            Some(std::mem::replace(&mut buf[next - 1], PLACEHOLDER))
        })
    }

    /// True if no event is available now.
    pub fn is_empty(&self) -> bool {
        let mut m = self.sink.merge.lock();
        m.collect(&self.sink);
        m.ready.is_empty()
    }

    /// Events available now.
    pub fn len(&self) -> usize {
        let mut m = self.sink.merge.lock();
        m.collect(&self.sink);
        m.ready.len()
    }
}

impl Drop for Events {
    fn drop(&mut self) {
        self.sink.noisy.fetch_and(!VIEWER, Ordering::Relaxed);
        let mut m = self.sink.merge.lock();
        m.collect(&self.sink);
        m.ready.clear();
        m.pending.clear();
    }
}
