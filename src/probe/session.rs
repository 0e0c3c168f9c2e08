//! The session: what every instrumented primitive of one run shares — the event sink, the
//! stop flags, and the clock and gate it was given (see `schedule`: whoever runs the workers
//! owns those) — and the worker that is running on this thread.
//!
//! Emitting is the probe's hot path: a worker's events go through its own ring (see `sink`),
//! numbered in a true order; with nobody watching, emitting costs one load.
//!
//! Must not: name the runner, the scenarios or child processes. What outlives a session's
//! threads and must end with it (a run's child processes) joins it as a `Companion`.

use super::schedule::{Gatekeeper, Mode, Next, Timekeeper};
use super::sink::{Events, Lane, Sink};
use super::time_base::TimeBase;
use crate::event::{Event, ObjectId, ObjectKind, Op, WorkerId, WorkerKind};
use parking_lot::{Condvar, Mutex};
use std::any::{Any, TypeId};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Weak};
use std::thread::JoinHandle;

/// Why a worker's operation did not happen: it was told to stop. Workers return it with `?`
/// so they unwind promptly, releasing what they hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Stop {
    /// The runner ended the run (restart, quit, end of `--for`).
    #[error("cancelled by the runner")]
    Cancelled,
    /// The worker was killed: a daemon when main ended.
    #[error("killed")]
    Killed,
}

/// What a probe operation returns.
pub type Res<T> = Result<T, Stop>;

/// Something with waiters parked on a condvar, woken when a stop flag changes.
pub(crate) trait Wake: Send + Sync {
    fn wake(&self);
}

/// Something that runs beside a session's threads and must end with the session (a run's
/// child processes): told when the run is cancelled, paused and finished. One of each type
/// per session (`Session::companion`), found again by its type.
pub trait Companion: Any + Send + Sync {
    /// The run is being stopped: end at once.
    fn cancel(&self);
    /// The run was paused or resumed.
    fn set_paused(&self, _paused: bool) {}
    /// Every worker has ended: end what is left and wait until it has.
    fn finish(&self) {
        self.cancel();
    }
}

/// One worker's control block: its identity, its kill flag and its end (for `join`).
pub struct WorkerCtl {
    pub id: WorkerId,
    pub name: String,
    pub daemon: bool,
    killed: AtomicBool,
    /// Cancelled on its own (an orderly stop ends workers one at a time).
    cancelled: AtomicBool,
    done: Mutex<bool>,
    done_cv: Condvar,
}

impl WorkerCtl {
    pub fn is_done(&self) -> bool {
        *self.done.lock()
    }

    pub(crate) fn finish(&self) {
        *self.done.lock() = true;
        self.done_cv.notify_all();
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::SeqCst)
    }

    pub fn is_killed(&self) -> bool {
        self.killed.load(Ordering::SeqCst)
    }

    pub(crate) fn kill(&self) {
        self.killed.store(true, Ordering::SeqCst);
    }

    /// Blocks until this worker has ended or `stopped()` says to give up.
    pub(crate) fn wait_done(&self, stopped: impl Fn() -> bool) -> bool {
        let mut d = self.done.lock();
        loop {
            if *d {
                return true;
            }
            if stopped() {
                return false;
            }
            self.done_cv.wait(&mut d);
        }
    }
}

impl Wake for WorkerCtl {
    fn wake(&self) {
        let _d = self.done.lock();
        self.done_cv.notify_all();
    }
}

pub struct Session {
    sink: Arc<Sink>,
    pub(crate) clock: Arc<dyn Timekeeper>,
    pub(crate) gate: Arc<dyn Gatekeeper>,
    cancelled: AtomicBool,
    next_w: AtomicU32,
    next_o: AtomicU32,
    wakers: Mutex<Vec<Weak<dyn Wake>>>,
    workers: Mutex<Vec<Arc<WorkerCtl>>>,
    handles: Mutex<Vec<JoinHandle<()>>>,
    pid: u32,
    /// What ends with the run (its child processes), by type.
    companions: Mutex<Vec<(TypeId, Arc<dyn Companion>)>>,
}

impl Session {
    /// A session and the viewer's end of its events.
    pub fn new(clock: Arc<dyn Timekeeper>, gate: Arc<dyn Gatekeeper>) -> (Arc<Session>, Events) {
        let sink = Sink::new(true);
        let events = Events::new(sink.clone());
        (Session::with_sink(sink, clock, gate), events)
    }

    /// A session nobody watches: the probe builds no events at all.
    pub fn without_viewer(clock: Arc<dyn Timekeeper>, gate: Arc<dyn Gatekeeper>) -> Arc<Session> {
        Session::with_sink(Sink::new(false), clock, gate)
    }

    fn with_sink(
        sink: Arc<Sink>,
        clock: Arc<dyn Timekeeper>,
        gate: Arc<dyn Gatekeeper>,
    ) -> Arc<Session> {
        Arc::new(Session {
            sink,
            clock,
            gate,
            cancelled: AtomicBool::new(false),
            next_w: AtomicU32::new(0),
            next_o: AtomicU32::new(1),
            wakers: Mutex::new(Vec::new()),
            workers: Mutex::new(Vec::new()),
            handles: Mutex::new(Vec::new()),
            pid: std::process::id(),
            companions: Mutex::new(Vec::new()),
        })
    }

    /// This session's companion of type `T`, made by `make` on first use and told of the
    /// session's cancel, pause and finish from then on.
    pub fn companion<T: Companion>(&self, make: impl FnOnce() -> T) -> Arc<T> {
        let mut cs = self.companions.lock();
        let found = cs.iter().find(|(t, _)| *t == TypeId::of::<T>());
        let c = match found {
            Some((_, c)) => c.clone(),
            None => {
                let c: Arc<dyn Companion> = Arc::new(make());
                cs.push((TypeId::of::<T>(), c.clone()));
                c
            }
        };
        let any: Arc<dyn Any + Send + Sync> = c;
        any.downcast::<T>()
            .unwrap_or_else(|_| unreachable!("companions are kept by their own type id"))
    }

    fn companions(&self) -> Vec<Arc<dyn Companion>> {
        self.companions
            .lock()
            .iter()
            .map(|(_, c)| c.clone())
            .collect()
    }

    /// The run was paused or resumed: tells its companions (the clock and gate are the
    /// runner's to change).
    pub fn pause_companions(&self, paused: bool) {
        for c in self.companions() {
            c.set_paused(paused);
        }
    }

    /// Every worker has ended and its thread is joined: ends the companions and waits for them.
    pub fn finish_companions(&self) {
        for c in self.companions() {
            c.finish();
        }
    }

    /// Virtual nanoseconds since the run started, by the session's clock.
    pub fn now(&self) -> u64 {
        self.clock.now()
    }

    /// Passes the gate for worker `w` before `next`; false if `stopped()` said to give up.
    pub(crate) fn pass_gate(&self, w: WorkerId, next: Next, stopped: &dyn Fn() -> bool) -> bool {
        self.gate.open_flag().load(Ordering::Acquire)
            || self.gate.park_until(w, next, None, None, stopped)
    }

    /// Sends one event, stamped with virtual time, from any thread (the slow lane: rare
    /// operations such as declarations, start and exit). Callers that need a true order call
    /// this while holding the primitive's own lock; workers' own operations go through
    /// `CurrentWorker::emit`.
    pub(crate) fn emit(&self, w: WorkerId, op: Op) {
        self.sink.send_slow(|| Event {
            t: self.clock.now(),
            pid: self.pid,
            w,
            op,
        });
    }

    /// Sends an event that happened elsewhere (a child process), stamped with this run's
    /// virtual time, or its own `t` if that is later; its place in the stream is the moment
    /// it is injected.
    pub fn inject(&self, ev: Event) {
        self.sink.send_slow(|| Event {
            t: self.clock.now().max(ev.t),
            ..ev
        });
    }

    /// A fresh worker id, for a worker declared by someone else (a child's).
    pub fn new_worker_id(&self) -> WorkerId {
        self.next_w.fetch_add(1, Ordering::SeqCst)
    }

    /// A fresh object id, for an object declared by someone else (a child's).
    pub fn new_object_id(&self) -> ObjectId {
        self.next_o.fetch_add(1, Ordering::SeqCst)
    }

    /// True while a viewer reads the events.
    pub fn watched(&self) -> bool {
        self.sink.watched()
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::SeqCst)
    }

    /// Ends the run: every worker's next operation, or current wait, returns `Stop::Cancelled`.
    pub fn cancel(&self) {
        self.sink.close();
        self.cancelled.store(true, Ordering::SeqCst);
        self.sink.stopping();
        for c in self.companions() {
            c.cancel();
        }
        self.wake_all();
    }

    /// Kills one worker (a daemon at the end of main): it stops as `Stop::Killed`.
    pub fn kill(&self, ctl: &WorkerCtl) {
        ctl.kill();
        self.sink.stopping();
        self.wake_all();
    }

    /// Ends the run in order: each live worker cancelled in id order (so a seeded run ends
    /// the same way every time), then everything at once for whatever is left when
    /// `deadline` comes. The caller holds the gate meanwhile, so nothing else is scheduled.
    pub fn cancel_in_order(&self, deadline: std::time::Instant) {
        self.sink.close();
        for w in self.workers() {
            // Past the deadline the rest go at once (below): one by one, each wake-up wakes
            // every parked worker, which is quadratic with a thousand of them.
            if std::time::Instant::now() >= deadline {
                break;
            }
            if w.is_done() {
                continue;
            }
            w.cancelled.store(true, Ordering::SeqCst);
            self.sink.stopping();
            self.wake_all();
            let mut d = w.done.lock();
            while !*d {
                if w.done_cv.wait_until(&mut d, deadline).timed_out() {
                    break;
                }
            }
        }
        self.cancel();
    }

    /// Wakes every parked worker so it re-checks its stop flags (after a change of mode,
    /// they move to the gate or back).
    pub fn wake_all(&self) {
        self.clock.wake_all();
        self.gate.wake_all();
        let wakers: Vec<_> = self
            .wakers
            .lock()
            .iter()
            .filter_map(Weak::upgrade)
            .collect();
        for w in wakers {
            w.wake();
        }
        let workers: Vec<_> = self.workers.lock().clone();
        for w in workers {
            w.wake();
        }
    }

    pub(crate) fn register(&self, w: Weak<dyn Wake>) {
        let mut ws = self.wakers.lock();
        ws.retain(|x| x.strong_count() > 0);
        ws.push(w);
    }

    /// Declares an object and returns its id.
    pub(crate) fn declare_object(
        &self,
        by: WorkerId,
        name: &str,
        kind: ObjectKind,
        capacity: Option<u64>,
    ) -> ObjectId {
        let o = self.next_o.fetch_add(1, Ordering::SeqCst);
        self.emit(
            by,
            Op::Object {
                o,
                name: name.to_string(),
                kind,
                capacity,
            },
        );
        o
    }

    /// Declares a worker (not started yet).
    pub(crate) fn declare_worker(
        &self,
        name: &str,
        kind: WorkerKind,
        daemon: bool,
        parent: Option<WorkerId>,
    ) -> Arc<WorkerCtl> {
        let ctl = self.new_ctl(name, daemon);
        self.workers.lock().push(ctl.clone());
        self.gate.spawned();
        self.emit(
            ctl.id,
            Op::Worker {
                name: name.to_string(),
                kind,
                daemon,
                parent,
                thread: None,
            },
        );
        ctl
    }

    /// Declares a task that `thread` runs (see `probe::aio`). The gate does not count it as a
    /// worker of its own: it runs only inside its thread, so it is at the gate only when its
    /// thread is, in its place. Nobody joins its control block or waits for it to end.
    pub(crate) fn declare_task(
        &self,
        name: &str,
        parent: WorkerId,
        thread: WorkerId,
    ) -> Arc<WorkerCtl> {
        let ctl = self.new_ctl(name, false);
        self.emit(
            ctl.id,
            Op::Worker {
                name: name.to_string(),
                kind: WorkerKind::Task,
                daemon: false,
                parent: Some(parent),
                thread: Some(thread),
            },
        );
        ctl
    }

    fn new_ctl(&self, name: &str, daemon: bool) -> Arc<WorkerCtl> {
        Arc::new(WorkerCtl {
            id: self.next_w.fetch_add(1, Ordering::SeqCst),
            name: name.to_string(),
            daemon,
            killed: AtomicBool::new(false),
            cancelled: AtomicBool::new(false),
            done: Mutex::new(false),
            done_cv: Condvar::new(),
        })
    }

    /// Every worker declared so far.
    pub fn workers(&self) -> Vec<Arc<WorkerCtl>> {
        self.workers.lock().clone()
    }

    pub(crate) fn keep_handle(&self, h: JoinHandle<()>) {
        self.handles.lock().push(h);
    }

    /// Joins every worker thread started so far (they must be ending: cancelled or done).
    pub fn join_threads(&self) {
        loop {
            let hs: Vec<_> = std::mem::take(&mut *self.handles.lock());
            if hs.is_empty() {
                return;
            }
            for h in hs {
                let _ = h.join();
            }
        }
    }
}

/// The worker running on the current thread, with its session.
pub(crate) struct CurrentWorker {
    pub session: Arc<Session>,
    pub ctl: Arc<WorkerCtl>,
    /// This thread's ring into the session's event stream.
    lane: RefCell<Lane>,
    /// The gate's `open` flag and the published time, taken once so passing an open gate is
    /// one load and a timestamp a seqlock read, not calls. They point into the session's
    /// gate and clock, which `session` keeps alive as long as this `CurrentWorker`.
    open: *const AtomicBool,
    time: *const TimeBase,
}

thread_local! {
    static CURRENT: RefCell<Option<Rc<CurrentWorker>>> = const { RefCell::new(None) };
    /// What a primitive's fast path needs of the current worker, in a cell with no
    /// destructor and no borrow flag: reading it is one thread-local load.
    static FAST: Cell<Fast> = const { Cell::new(Fast::NONE) };
}

/// The current worker's id and the two words that say whether its operations may skip
/// events, gate and stop checks: its sink's `noisy` word and its gate's `open` flag.
/// The pointers are into the `CurrentWorker` that `CURRENT` holds (its session keeps them
/// alive); whoever replaces or drops it resets this first (`set_current`, its `drop`).
#[derive(Clone, Copy)]
struct Fast {
    me: *const CurrentWorker,
    w: WorkerId,
    noisy: *const AtomicU32,
    open: *const AtomicBool,
}

/// A word that is never quiet: no current worker takes the slow path (which says so).
static NEVER_QUIET: AtomicU32 = AtomicU32::new(u32::MAX);
static CLOSED: AtomicBool = AtomicBool::new(false);

impl Fast {
    const NONE: Fast = Fast {
        me: std::ptr::null(),
        w: 0,
        noisy: &NEVER_QUIET,
        open: &CLOSED,
    };

    fn of(me: &CurrentWorker) -> Fast {
        Fast {
            me,
            w: me.w(),
            noisy: me.session.sink.noisy(),
            open: me.open,
        }
    }
}

impl Drop for CurrentWorker {
    fn drop(&mut self) {
        let this: *const CurrentWorker = self;
        FAST.with(|f| {
            if f.get().me == this {
                f.set(Fast::NONE);
            }
        });
    }
}

impl CurrentWorker {
    /// The worker `ctl` of session `s`, running on the calling thread.
    pub fn new(s: Arc<Session>, ctl: Arc<WorkerCtl>) -> CurrentWorker {
        let lane = RefCell::new(s.sink.lane(s.pid, ctl.id));
        let open: *const AtomicBool = s.gate.open_flag();
        let time: *const TimeBase = s.clock.time_base();
        CurrentWorker {
            session: s,
            ctl,
            lane,
            open,
            time,
        }
    }

    pub fn w(&self) -> WorkerId {
        self.ctl.id
    }

    /// Virtual nanoseconds now, by the session's clock.
    #[inline]
    pub fn now(&self) -> u64 {
        // SAFETY: `time` points into `self.session.clock`, alive while `self.session` is.
        unsafe { (*self.time).now() }
    }

    /// Why this worker must stop, if it must.
    pub fn stopped(&self) -> Option<Stop> {
        if self.session.is_cancelled() || self.ctl.cancelled.load(Ordering::SeqCst) {
            Some(Stop::Cancelled)
        } else if self.ctl.killed.load(Ordering::SeqCst) {
            Some(Stop::Killed)
        } else {
            None
        }
    }

    pub fn check(&self) -> Res<()> {
        match self.stopped() {
            Some(s) => Err(s),
            None => Ok(()),
        }
    }

    /// Passes the gate before an operation.
    pub fn gate(&self, op: &'static str, o: Option<ObjectId>) -> Res<()> {
        self.check()?;
        // SAFETY: `open` points into `self.session.gate`, alive while `self.session` is.
        if unsafe { (*self.open).load(Ordering::Acquire) } {
            return Ok(());
        }
        let next = Next { op, o };
        let gate = &self.session.gate;
        if gate.mode() == Mode::Step && !next.is_setup() {
            // Said in the stream, as a traced program's park is: the lane shows the worker
            // parked (not running) for as long as the user leaves it there.
            self.emit(Op::Gate {
                o,
                next: op.to_string(),
            });
        }
        if gate.park_until(self.w(), next, None, None, &|| self.stopped().is_some()) {
            Ok(())
        } else {
            self.check()
        }
    }

    /// Sends one event of this worker through its ring. Called with the primitive's own
    /// lock held where the order matters: the number it takes there is its place in the
    /// stream.
    #[inline]
    pub fn emit(&self, op: Op) {
        let s = &*self.session;
        if !s.sink.watched() {
            return;
        }
        s.sink.send(
            &mut self.lane.borrow_mut(),
            || (self.now(), op),
            || self.stopped().is_some(),
        );
    }

    /// Sends two events of one instant (an acquire that did not wait: begin and end) with
    /// one clock read and one number taken for both.
    #[inline]
    pub fn emit_pair(&self, a: Op, b: Op) {
        let s = &*self.session;
        if !s.sink.watched() {
            return;
        }
        s.sink.send_pair(
            &mut self.lane.borrow_mut(),
            || (self.now(), a, b),
            || self.stopped().is_some(),
        );
    }
}

/// Makes `me` the current worker of this thread.
pub(crate) fn set_current(me: Option<Rc<CurrentWorker>>) {
    #[cfg(debug_assertions)]
    assert_eq!(
        IN_OP.with(Cell::get),
        0,
        "current worker replaced inside an operation"
    );
    FAST.with(|f| f.set(me.as_deref().map_or(Fast::NONE, Fast::of)));
    CURRENT.with(|c| *c.borrow_mut() = me);
}

/// The current worker. Probe primitives are used from workers the runner started (or from a
/// thread attached with `attach`); anything else is a programming error, said plainly.
pub(crate) fn current_worker() -> Rc<CurrentWorker> {
    CURRENT.with(|c| c.borrow().clone()).expect(OUTSIDE)
}

const OUTSIDE: &str = "threadlanes probe used outside a worker: start workers with probe::Thread, or call probe::attach on this thread first";

/// Runs `f` with the current worker borrowed, not cloned: no reference count, no borrow
/// flag, no lazy thread-local on a watched operation's path (one `Cell` read, as
/// `fast_path`). Sound because no probe operation replaces the current worker: only a
/// worker's start and end and `attach` call `set_current`, never from inside `f` (checked
/// in debug builds).
#[inline]
pub(crate) fn with_current_worker<R>(f: impl FnOnce(&CurrentWorker) -> R) -> R {
    let p = FAST.with(Cell::get).me;
    assert!(!p.is_null(), "{OUTSIDE}");
    #[cfg(debug_assertions)]
    let _in_op = InOp::enter();
    // SAFETY: a non-null `FAST.me` points into the `CurrentWorker` that `CURRENT` holds
    // (`set_current` and its `drop` reset it before it goes), and `set_current` is not called
    // while `f` runs, so the worker outlives the borrow.
    f(unsafe { &*p })
}

/// Debug builds: counts `with_current_worker` borrows in progress on this thread, so `set_current`
/// can assert it never pulls a worker out from under one.
#[cfg(debug_assertions)]
struct InOp;

#[cfg(debug_assertions)]
thread_local! {
    static IN_OP: Cell<u32> = const { Cell::new(0) };
}

#[cfg(debug_assertions)]
impl InOp {
    fn enter() -> InOp {
        IN_OP.with(|n| n.set(n.get() + 1));
        InOp
    }
}

#[cfg(debug_assertions)]
impl Drop for InOp {
    fn drop(&mut self) {
        IN_OP.with(|n| n.set(n.get() - 1));
    }
}

/// Runs `fast(w)` for the current worker if its operation may take a primitive's fast path:
/// nobody watches, the gate is open and no worker of the run was told to stop (one sticky
/// bit of the sink's `noisy` word: a worker in a tight loop of fast operations must still
/// see its cancel). False if it may not, or `fast` declined. Three loads: no reference
/// count, no borrow flag, no lazy thread-local.
#[inline]
pub(crate) fn fast_path(fast: impl FnOnce(WorkerId) -> bool) -> bool {
    let f = FAST.with(Cell::get);
    // SAFETY: `f`'s pointers are `Fast::NONE`'s statics or into the `CurrentWorker` that
    // `CURRENT` holds, which is alive: `set_current` and its `drop` reset `FAST` before it goes.
    let quiet =
        unsafe { (*f.noisy).load(Ordering::Relaxed) == 0 && (*f.open).load(Ordering::Acquire) };
    quiet && fast(f.w)
}

/// True if this thread runs a worker (used by the panic hook to keep a worker's panic off the
/// screen: its lane shows it instead).
pub fn on_worker_thread() -> bool {
    CURRENT.with(|c| c.borrow().is_some())
}

/// Makes the calling thread a worker of `session` (for a user's own program: its main thread).
pub fn attach(session: &Arc<Session>, name: &str, kind: WorkerKind) -> WorkerId {
    let ctl = session.declare_worker(name, kind, false, None);
    let id = ctl.id;
    session.emit(id, Op::Start);
    set_current(Some(Rc::new(CurrentWorker::new(session.clone(), ctl))));
    id
}
