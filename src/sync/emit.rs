//! The traced program's side of `threadlanes trace`: when `THREADLANES_SOCKET` is in the
//! environment, this process connects once and sends its events there as JSON Lines in the
//! shim's dialect (docs/wire-format.md: ids local to this process, `t` on `CLOCK_MONOTONIC`
//! since `THREADLANES_T0`).
//!
//! The program never waits for the viewer: each thread pushes its events into its own
//! lock-free ring (no lock, no syscall, no allocation beyond the event's own strings), and a
//! background thread encodes and writes them. A full ring's events wait in a shared side
//! list (a short lock); past its limit they are dropped and counted, and the count is said
//! on stderr when the process ends.
//!
//! Order: every event is stamped from one process-wide counter of nanoseconds that never
//! repeats (`stamp`), taken where the operation takes effect (a release before the unlock,
//! an acquire after the lock is taken), so a hand-off's events are in a true order however
//! the rings are drained; threadlanes merges lines by `t`.
//!
//! With no viewer, [`on`] is one relaxed load and nothing else here runs. This module must
//! not block a caller on the socket, and must never call user code.

use crate::event::{Event, ExitHow, ObjectId, ObjectKind, Op, WorkerId, WorkerKind};
use crate::probe::worker::panic_message as panic_text;
use crate::source::clock::monotonic_ns;
use parking_lot::Mutex;
use rtrb::{Consumer, Producer, RingBuffer};
use std::cell::RefCell;
use std::io::Write;
use std::os::unix::net::UnixStream;
use std::sync::atomic::{AtomicU8, AtomicU32, AtomicU64, Ordering};
use std::time::Duration;

/// Events one thread may have waiting for the writer before its next ones are dropped.
const RING: usize = 1024;

/// Events of full rings that wait in the side list before more are dropped.
const OVERFLOW: usize = 1 << 18;

/// How often the writer sends what the rings hold. Well under threadlanes' 40 ms hold, so
/// lines of different threads reach it in time to be put in `t` order.
const FLUSH_EVERY: Duration = Duration::from_millis(2);

/// Longest the end of the process waits for the writer to let go of the connection.
const LAST_WRITE: Duration = Duration::from_millis(500);

const UNKNOWN: u8 = 0;
const OFF: u8 = 1;
const ON: u8 = 2;

static STATE: AtomicU8 = AtomicU8::new(UNKNOWN);
static T0: AtomicU64 = AtomicU64::new(0);
static LAST: AtomicU64 = AtomicU64::new(0);
static NEXT_W: AtomicU32 = AtomicU32::new(1);
static NEXT_O: AtomicU32 = AtomicU32::new(1);
static DROPPED: AtomicU64 = AtomicU64::new(0);
static PID: AtomicU32 = AtomicU32::new(0);
/// Sleeps of the program are divided by this (bits of an f64; 0 = 1.0).
static SPEED: AtomicU64 = AtomicU64::new(0);
/// The main thread's panic message, once it panicked (its exit is written at exit).
static MAIN_PANIC: Mutex<Option<String>> = Mutex::new(None);

/// Rings made since the writer's last pass, and events from threads without a ring.
static NEW_RINGS: Mutex<Vec<Consumer<Event>>> = Mutex::new(Vec::new());
static SLOW: Mutex<Vec<Event>> = Mutex::new(Vec::new());
/// The writer's state: touched only by the writer thread and at exit.
static WRITER: Mutex<Option<Writer>> = Mutex::new(None);

/// True while a viewer takes this process's events.
#[inline]
pub(crate) fn on() -> bool {
    match STATE.load(Ordering::Relaxed) {
        ON => true,
        OFF => false,
        _ => init(),
    }
}

/// Reads the environment once: connects, declares the main thread, starts the writer.
#[cold]
fn init() -> bool {
    static INIT: Mutex<()> = Mutex::new(());
    let _g = INIT.lock();
    match STATE.load(Ordering::SeqCst) {
        ON => return true,
        OFF => return false,
        _ => {}
    }
    let ok = connect().is_some();
    STATE.store(if ok { ON } else { OFF }, Ordering::SeqCst);
    ok
}

fn connect() -> Option<()> {
    let path = std::env::var_os("THREADLANES_SOCKET")?;
    let stream = UnixStream::connect(path).ok()?;
    roomy(&stream);
    let t0 = std::env::var("THREADLANES_T0")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(monotonic_ns);
    T0.store(t0, Ordering::SeqCst);
    let speed = std::env::var("THREADLANES_SPEED")
        .ok()
        .and_then(|s| s.parse::<f64>().ok())
        .filter(|s| *s > 0.0 && s.is_finite())
        .unwrap_or(1.0);
    SPEED.store(speed.to_bits(), Ordering::SeqCst);
    let pid = std::process::id();
    PID.store(pid, Ordering::SeqCst);
    super::gate::start(&stream);
    *WRITER.lock() = Some(Writer {
        out: std::io::BufWriter::with_capacity(64 << 10, stream),
        rings: Vec::new(),
        batch: Vec::new(),
        line: String::new(),
    });
    declare_main(pid);
    std::thread::Builder::new()
        .name("threadlanes-writer".into())
        .spawn(|| {
            // Until the connection is gone (the viewer went away, or the process ends).
            while write_pending() {
                std::thread::sleep(FLUSH_EVERY);
            }
        })
        .ok()?;
    register_exit();
    // The hook cannot be changed by a thread that is panicking (a guard dropped while
    // unwinding may be the first traced operation): main's panic then goes unnamed.
    if !std::thread::panicking() {
        let prev = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if is_main_thread() {
                *MAIN_PANIC.lock() = Some(panic_text(info.payload()));
            }
            prev(info)
        }));
    }
    Some(())
}

/// The main thread is worker 0: "main" when this process is the first threadlanes traced
/// (as the Python shim decides), a process of the program otherwise.
fn declare_main(pid: u32) {
    let root = std::env::var("THREADLANES_ROOT_PID").ok();
    let (name, kind) = match root.and_then(|r| r.parse::<u32>().ok()) {
        Some(r) if r != pid => (program_name(), WorkerKind::Process),
        _ => ("main".to_string(), WorkerKind::Main),
    };
    let mut slow = SLOW.lock();
    slow.push(event(stamp(), 0, worker_op(name, kind, None)));
    slow.push(event(stamp(), 0, Op::Start));
}

fn program_name() -> String {
    let arg0 = std::env::args().next().unwrap_or_default();
    let base = arg0.rsplit('/').next().unwrap_or("program");
    base.to_string()
}

fn worker_op(name: String, kind: WorkerKind, parent: Option<WorkerId>) -> Op {
    Op::Worker {
        kind,
        daemon: false,
        parent,
        name,
        thread: None,
    }
}

fn event(t: u64, w: WorkerId, op: Op) -> Event {
    Event {
        t,
        pid: PID.load(Ordering::Relaxed),
        w,
        op,
    }
}

/// Nanoseconds since the trace began, strictly after every stamp taken before it in this
/// process: one atomic's modification order agrees with happens-before, so an acquire
/// stamped after a release it followed is later, even on a clock that ticks coarsely.
fn stamp() -> u64 {
    let now = monotonic_ns().saturating_sub(T0.load(Ordering::Relaxed));
    let mut last = LAST.load(Ordering::Relaxed);
    loop {
        let t = now.max(last + 1);
        match LAST.compare_exchange_weak(last, t, Ordering::Relaxed, Ordering::Relaxed) {
            Ok(_) => return t,
            Err(seen) => last = seen,
        }
    }
}

fn is_main_thread() -> bool {
    // SAFETY: gettid has no preconditions.
    let tid = unsafe { libc::gettid() };
    tid as u32 == std::process::id()
}

// ── threads ─────────────────────────────────────────────────────────────────────────

/// One thread's end of its ring, and the worker it is.
struct Lane {
    w: WorkerId,
    ring: Producer<Event>,
    /// Its exit was sent (a thread started by `threadlanes::thread` says how it ended).
    exited: bool,
}

impl Drop for Lane {
    /// A thread threadlanes did not start ends here: its exit goes before its ring closes.
    fn drop(&mut self) {
        if !self.exited && self.w != 0 && on() {
            push(
                &mut self.ring,
                event(stamp(), self.w, exit_op(ExitHow::Ok, None)),
            );
        }
    }
}

thread_local! {
    static LANE: RefCell<Option<Lane>> = const { RefCell::new(None) };
}

fn push(ring: &mut Producer<Event>, ev: Event) {
    if let Err(rtrb::PushError::Full(ev)) = ring.push(ev) {
        overflow(ev);
    }
}

/// A full ring's event waits in the shared side list (a short lock, never the viewer);
/// past [`OVERFLOW`] events it is dropped and counted. A dropped event leaves the viewer a
/// stream with a gap (a release it never sees), so the side list is the usual way out.
#[cold]
fn overflow(ev: Event) {
    let mut slow = SLOW.lock();
    if slow.len() < OVERFLOW {
        slow.push(ev);
    } else {
        DROPPED.fetch_add(1, Ordering::Relaxed);
    }
}

fn new_lane(w: WorkerId) -> Lane {
    let (ring, c) = RingBuffer::new(RING);
    NEW_RINGS.lock().push(c);
    Lane {
        w,
        ring,
        exited: false,
    }
}

/// Runs `f` with the calling thread's lane, made first if it has none: the main thread is
/// worker 0; any other thread not started by `threadlanes::thread` is declared as it is
/// first seen, with its std name.
fn with_lane<R>(f: impl FnOnce(&mut Lane) -> R) -> Option<R> {
    LANE.try_with(|l| {
        let mut l = l.borrow_mut();
        let lane = l.get_or_insert_with(adopt);
        f(lane)
    })
    .ok()
}

fn adopt() -> Lane {
    if is_main_thread() {
        return new_lane(0);
    }
    let w = NEXT_W.fetch_add(1, Ordering::Relaxed);
    let name = std::thread::current()
        .name()
        .map_or_else(|| format!("thread-{w}"), str::to_string);
    let mut lane = new_lane(w);
    push(
        &mut lane.ring,
        event(stamp(), w, worker_op(name, WorkerKind::Thread, None)),
    );
    push(&mut lane.ring, event(stamp(), w, Op::Start));
    lane
}

/// Sends one event of the calling thread, stamped now.
pub(crate) fn emit(op: Op) {
    with_lane(|lane| {
        let ev = event(stamp(), lane.w, op);
        push(&mut lane.ring, ev);
    });
}

/// The calling thread's worker id (declaring it if it is new).
pub(crate) fn current_worker() -> WorkerId {
    with_lane(|lane| lane.w).unwrap_or(0)
}

/// A new worker for a thread about to be started by the calling one: declared and started
/// now, so its lane exists before anything it does, and threads started one after another
/// start in that order on every run (a seeded run's events are the same each time).
pub(crate) fn declare_thread(name: Option<&str>) -> WorkerId {
    let w = NEXT_W.fetch_add(1, Ordering::Relaxed);
    let parent = current_worker();
    let name = name.map_or_else(|| format!("thread-{w}"), str::to_string);
    // A declaration's `w` is the worker declared; it goes through the parent's ring.
    with_lane(|lane| {
        let op = worker_op(name, WorkerKind::Thread, Some(parent));
        push(&mut lane.ring, event(stamp(), w, op));
        push(&mut lane.ring, event(stamp(), w, Op::Start));
    });
    w
}

/// The OS would not start the thread declared as `w`: its lane ends.
pub(crate) fn not_started(w: WorkerId, why: String) {
    with_lane(|lane| {
        let op = exit_op(ExitHow::Killed, Some(why));
        push(&mut lane.ring, event(stamp(), w, op));
    });
}

/// The calling thread (just started) is worker `w`, declared and started by its parent.
pub(crate) fn begin_thread(w: WorkerId) {
    let _ = LANE.try_with(|l| *l.borrow_mut() = Some(new_lane(w)));
}

/// The calling thread, started by `threadlanes::thread`, ends (`msg`: its panic).
pub(crate) fn end_thread(panic: Option<String>) {
    let how = if panic.is_some() {
        ExitHow::Panic
    } else {
        ExitHow::Ok
    };
    with_lane(|lane| {
        push(&mut lane.ring, event(stamp(), lane.w, exit_op(how, panic)));
        lane.exited = true;
    });
}

fn exit_op(how: ExitHow, msg: Option<String>) -> Op {
    Op::Exit { how, msg }
}

// ── objects ─────────────────────────────────────────────────────────────────────────

/// Declares an object from the calling thread and returns its id.
pub(crate) fn declare_object(name: String, kind: ObjectKind, capacity: Option<u64>) -> ObjectId {
    let o = NEXT_O.fetch_add(1, Ordering::Relaxed);
    emit(Op::Object {
        kind,
        o,
        name,
        capacity,
    });
    o
}

/// The factor the program's sleeps are divided by (`THREADLANES_SPEED`).
pub(crate) fn speed() -> f64 {
    match SPEED.load(Ordering::Relaxed) {
        0 => 1.0,
        bits => f64::from_bits(bits),
    }
}

// ── the writer ──────────────────────────────────────────────────────────────────────

struct Writer {
    out: std::io::BufWriter<UnixStream>,
    rings: Vec<Consumer<Event>>,
    /// One pass's events, kept for the next pass's.
    batch: Vec<Event>,
    line: String,
}

impl Writer {
    fn send(&mut self, ev: &Event) -> std::io::Result<()> {
        self.line.clear();
        self.line.push_str(&crate::wire::encode(ev));
        self.line.push('\n');
        self.out.write_all(self.line.as_bytes())
    }

    /// Everything the rings and the side list hold now, in `t` order, written and flushed.
    fn pass(&mut self) -> std::io::Result<()> {
        self.rings.append(&mut NEW_RINGS.lock());
        let mut batch = std::mem::take(&mut self.batch);
        batch.append(&mut SLOW.lock());
        self.rings.retain_mut(|c| {
            if let Ok(chunk) = c.read_chunk(c.slots()) {
                batch.extend(chunk);
            }
            !c.is_abandoned() || !c.is_empty()
        });
        // In order already within each ring: the sort merges them cheaply.
        batch.sort_by_key(|ev| ev.t);
        let result = batch.drain(..).try_for_each(|ev| self.send(&ev));
        self.batch = batch;
        result?;
        self.out.flush()
    }
}

pub(crate) fn dropped() -> u64 {
    DROPPED.load(Ordering::Relaxed)
}

/// Events off or on again, once connected (see `sync::bench_tracing`).
pub(crate) fn set_on(want: bool) {
    if on() || WRITER.lock().is_some() {
        STATE.store(if want { ON } else { OFF }, Ordering::SeqCst);
    }
}

/// Writes what is waiting now (from the calling thread; the writer thread does it anyway).
pub(crate) fn flush() {
    if STATE.load(Ordering::Relaxed) != ON {
        return;
    }
    // Not behind a writer stuck on a viewer that stopped reading.
    if let Some(mut w) = WRITER.try_lock_for(LAST_WRITE)
        && let Some(writer) = w.as_mut()
    {
        let _ = writer.pass();
    }
}

/// Writes everything waiting, then `line` (a gate line: not an event), at once; false if
/// it could not be written (no connection, or a writer stuck on a viewer that stopped
/// reading).
pub(crate) fn send_line(line: &str) -> bool {
    if STATE.load(Ordering::Relaxed) != ON {
        return false;
    }
    let Some(mut w) = WRITER.try_lock_for(LAST_WRITE) else {
        return false;
    };
    let Some(writer) = w.as_mut() else {
        return false;
    };
    writer.pass().is_ok()
        && writer.out.write_all(line.as_bytes()).is_ok()
        && writer.out.flush().is_ok()
}

/// Writes what the rings hold; false once there is no connection to write to.
fn write_pending() -> bool {
    let mut w = WRITER.lock();
    let Some(writer) = w.as_mut() else {
        return false;
    };
    if writer.pass().is_err() {
        // The viewer went away: the program runs on untraced.
        STATE.store(OFF, Ordering::SeqCst);
        *w = None;
        return false;
    }
    true
}

/// Room for a burst while threadlanes' reader is off the CPU (the default 208 KiB fills in
/// under a millisecond at full speed; the kernel doubles the size asked for, and caps it at
/// net.core.wmem_max). As the Python shim's `_SNDBUF`.
fn roomy(stream: &UnixStream) {
    use std::os::fd::AsRawFd;
    let size: libc::c_int = 4 << 20;
    // SAFETY: setsockopt on a socket this function borrows, with an int option value.
    unsafe {
        libc::setsockopt(
            stream.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_SNDBUF,
            (&raw const size).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
}

type OnExit =
    unsafe extern "C" fn(extern "C" fn(libc::c_int, *mut libc::c_void), *mut libc::c_void) -> i32;

/// Has [`at_exit_with`] called at exit with the process's status (glibc's `on_exit`, looked
/// up at run time: musl and macOS have none), else [`at_exit`] (libc's `atexit`, no status:
/// the main thread then ends well unless it panicked).
fn register_exit() {
    // SAFETY: dlsym with RTLD_DEFAULT and a nul-terminated name; the symbol, when found, is
    // glibc's `int on_exit(void (*)(int, void *), void *)`.
    let found = unsafe { libc::dlsym(libc::RTLD_DEFAULT, c"on_exit".as_ptr()) };
    if !found.is_null() {
        // SAFETY: the symbol's type, as above.
        let on_exit: OnExit = unsafe { std::mem::transmute(found) };
        // SAFETY: registering a plain `extern "C" fn` with no argument to own.
        if unsafe { on_exit(at_exit_with, std::ptr::null_mut()) } == 0 {
            return;
        }
    }
    // SAFETY: registering a plain `extern "C" fn` with libc's atexit.
    unsafe { libc::atexit(at_exit) };
}

extern "C" fn at_exit_with(status: libc::c_int, _arg: *mut libc::c_void) {
    end_process(Some(status));
}

extern "C" fn at_exit() {
    end_process(None);
}

/// How the main thread ended: its panic, else the status the process exits with
/// (`std::process::exit(3)` is `exit code 3`), else (no status known) well.
fn main_end(panic: Option<String>, status: Option<libc::c_int>) -> (ExitHow, Option<String>) {
    match (panic, status.map(|s| s & 0xFF)) {
        (Some(p), _) => (ExitHow::Panic, Some(p)),
        (None, Some(code)) if code != 0 => (ExitHow::Panic, Some(format!("exit code {code}"))),
        _ => (ExitHow::Ok, None),
    }
}

/// The process ends: the main thread's exit, then everything still waiting, written now.
fn end_process(status: Option<libc::c_int>) {
    if STATE.load(Ordering::SeqCst) != ON {
        return;
    }
    let (how, msg) = main_end(MAIN_PANIC.lock().take(), status);
    SLOW.lock().push(event(stamp(), 0, exit_op(how, msg)));
    STATE.store(OFF, Ordering::SeqCst);
    // The writer may be stuck on a viewer that stopped reading: the process ends all the
    // same, a moment later, without its last lines.
    if let Some(mut w) = WRITER.try_lock_for(LAST_WRITE) {
        if let Some(writer) = w.as_mut() {
            let _ = writer.pass();
            // Shut, not only dropped: the gate's listener holds a copy of the socket.
            let _ = writer.out.get_ref().shutdown(std::net::Shutdown::Write);
        }
        // Closed now: the viewer reads the end of this process's stream at once.
        *w = None;
    }
    let dropped = DROPPED.load(Ordering::Relaxed);
    if dropped > 0 {
        eprintln!(
            "threadlanes: {dropped} events were dropped: the program made them faster than \
             they could be sent (it was never made to wait)"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::{ExitHow, main_end};

    #[test]
    fn the_main_threads_end_is_its_panic_else_its_status() {
        assert_eq!(main_end(None, Some(0)), (ExitHow::Ok, None));
        assert_eq!(main_end(None, None), (ExitHow::Ok, None));
        assert_eq!(
            main_end(None, Some(3)),
            (ExitHow::Panic, Some("exit code 3".into()))
        );
        assert_eq!(main_end(None, Some(256)), (ExitHow::Ok, None));
        let boom = main_end(Some("boom".into()), Some(101));
        assert_eq!(boom, (ExitHow::Panic, Some("boom".into())));
    }
}
