//! The event loop: tokio's current-thread runtime on the calling thread, and what tokio
//! does not know — virtual-time deadlines, and when no task can go (the idle wait).

use crate::event::{Op, WorkerId};
use crate::probe::schedule::Next;
use crate::probe::session::{CurrentWorker, Res, Stop};
use crate::probe::worker::sleep_to;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::Waker;

/// What one `run` shares between its tasks and its idle hook (one per thread at a time).
pub(crate) struct Loop {
    /// The thread that runs the tasks.
    pub thread: Rc<CurrentWorker>,
    /// Awaited sleeps: (virtual deadline, who to wake).
    timers: RefCell<Vec<(u64, Waker)>>,
    /// How many tasks are woken and not yet polled again.
    pub ready: Readiness,
    /// The first task has ended: `run` is about to return.
    pub root_done: Cell<bool>,
    /// The waker each pending task was last polled with, to wake them all at a stop.
    pub pending: RefCell<Vec<(u32, Waker)>>,
    /// Step and seeded mode: tasks that could go on, waiting for the gate to pick one.
    candidates: RefCell<Vec<(WorkerId, Next, Waker)>>,
    /// Tasks the gate picked (or let go), not yet polled.
    turns: RefCell<Vec<WorkerId>>,
}

thread_local! {
    static LOOP: RefCell<Option<Rc<Loop>>> = const { RefCell::new(None) };
}

/// The loop running on this thread (inside `run`).
pub(crate) fn this_loop() -> Rc<Loop> {
    LOOP.with(|l| l.borrow().clone())
        .expect("threadlanes aio used outside probe::aio::run")
}

impl Loop {
    /// The loop of the thread `thread`, made current on it until `leave`.
    pub fn enter(thread: Rc<CurrentWorker>) -> Rc<Loop> {
        let lp = Rc::new(Loop {
            thread,
            timers: RefCell::new(Vec::new()),
            ready: Readiness::default(),
            root_done: Cell::new(false),
            pending: RefCell::new(Vec::new()),
            candidates: RefCell::new(Vec::new()),
            turns: RefCell::new(Vec::new()),
        });
        LOOP.with(|l| *l.borrow_mut() = Some(lp.clone()));
        lp
    }

    /// This thread has no loop any more.
    pub fn leave() {
        LOOP.with(|l| *l.borrow_mut() = None);
    }
}

/// tokio's park hook: the loop of this thread decides whether the thread may park.
pub(super) fn on_park() {
    if let Some(lp) = LOOP.with(|l| l.borrow().clone()) {
        lp.idle();
    }
}

/// How many tasks are woken and not polled yet.
#[derive(Default)]
pub(crate) struct Readiness(pub(super) Arc<AtomicUsize>);

impl Readiness {
    pub fn any(&self) -> bool {
        self.0.load(Ordering::SeqCst) > 0
    }
}

impl Loop {
    /// An awaited sleep waits for `deadline`.
    pub fn add_timer(&self, deadline: u64, waker: &Waker) {
        self.timers.borrow_mut().push((deadline, waker.clone()));
    }

    /// Wakes the sleeps that are due; their tasks become ready.
    fn fire_due(&self) {
        let now = self.thread.now();
        let due: Vec<Waker> = {
            let mut ts = self.timers.borrow_mut();
            let mut due = Vec::new();
            ts.retain(|(d, w)| {
                let keep = *d > now;
                if !keep {
                    due.push(w.clone());
                }
                keep
            });
            due
        };
        due.into_iter().for_each(Waker::wake);
    }

    fn next_deadline(&self) -> Option<u64> {
        self.timers.borrow().iter().map(|(d, _)| *d).min()
    }

    /// Step and seeded mode: whether task `w` may be polled now (the gate picked it). If
    /// not, it waits among the candidates, to be woken when picked.
    pub fn take_turn(&self, w: WorkerId, next: Next, waker: &Waker) -> bool {
        let mut turns = self.turns.borrow_mut();
        if let Some(i) = turns.iter().position(|t| *t == w) {
            turns.swap_remove(i);
            return true;
        }
        let mut cands = self.candidates.borrow_mut();
        match cands.iter_mut().find(|c| c.0 == w) {
            Some(c) => c.2 = waker.clone(),
            None => cands.push((w, next, waker.clone())),
        }
        false
    }

    /// Lets the candidates the gate picked (`Some`) or all of them (`None`) go on.
    fn grant(&self, picked: Option<WorkerId>) {
        let gone: Vec<(WorkerId, Next, Waker)> = {
            let mut cands = self.candidates.borrow_mut();
            match picked {
                Some(w) => cands
                    .iter()
                    .position(|c| c.0 == w)
                    .map(|i| cands.remove(i))
                    .into_iter()
                    .collect(),
                None => std::mem::take(&mut *cands),
            }
        };
        for (w, _, waker) in gone {
            self.turns.borrow_mut().push(w);
            waker.wake();
        }
    }

    /// Between polls: fire what is due; in step and seeded mode, let the gate pick which
    /// of the tasks that can go on goes next; when no task can go, the thread waits for
    /// the next deadline as a plain sleep does — its lane says it sleeps until then.
    fn idle(&self) {
        self.fire_due();
        if self.ready.any() || self.root_done.get() {
            return;
        }
        if self.thread.stopped().is_some() {
            return self.wake_everyone();
        }
        if !self.candidates.borrow().is_empty() {
            let cands: Vec<(WorkerId, Next)> = self
                .candidates
                .borrow()
                .iter()
                .map(|c| (c.0, c.1))
                .collect();
            let me = &*self.thread;
            let picked = me.session.gate.park_any(&cands, &|| me.stopped().is_some());
            return self.grant(picked);
        }
        let me = &*self.thread;
        let waited = match self.next_deadline() {
            Some(d) => wait_for_timer(me, d),
            None => wait_for_nothing(me),
        };
        if waited.is_err() {
            return self.wake_everyone();
        }
        self.fire_due();
    }

    /// The run is stopping: every pending task is polled again and finds out.
    fn wake_everyone(&self) {
        self.grant(None);
        self.timers.borrow_mut().clear();
        let ws: Vec<Waker> = self
            .pending
            .borrow()
            .iter()
            .map(|(_, w)| w.clone())
            .collect();
        ws.into_iter().for_each(Waker::wake);
    }
}

/// Every task awaits a sleep: the thread sleeps until the first is due.
fn wait_for_timer(me: &CurrentWorker, deadline: u64) -> Res<()> {
    let now = me.now();
    if deadline <= now {
        return Ok(());
    }
    me.gate("sleep", None)?;
    me.emit(Op::SleepBegin {
        ms: (deadline - now).div_ceil(1_000_000),
    });
    sleep_to(me, deadline)?;
    me.emit(Op::SleepEnd);
    Ok(())
}

/// Every task awaits something only another task could give (a lock, an item, a set):
/// nothing will. The thread waits until the run stops (a seeded run sees it stuck).
fn wait_for_nothing(me: &CurrentWorker) -> Res<()> {
    let gate = &me.session.gate;
    let stopped = || me.stopped().is_some();
    while !stopped() {
        if gate.controlled() {
            let never: crate::probe::schedule::Ready = std::sync::Arc::new(|| false);
            let next = Next {
                op: "wait for a task",
                o: None,
            };
            gate.park_until(me.w(), next, Some(never), None, &stopped);
        } else {
            let until = me.now().saturating_add(1_000_000_000);
            me.session
                .clock
                .sleep_until(until, &|| stopped() || gate.controlled());
        }
    }
    Err(me.stopped().unwrap_or(Stop::Cancelled))
}
