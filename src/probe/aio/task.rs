//! Tasks: `create_task`, awaiting one (`Task::result`), `gather`, and what each task is
//! wrapped in — the future that makes it a lane: it says when the task starts and how it
//! ends, makes the task the current one while it is polled, and counts it ready while it
//! is woken and not yet polled (the loop's idle wait needs to know). In step and seeded
//! mode it also waits for its turn: polled before the gate picked it, it goes back among
//! the candidates (`Loop::take_turn`).

use super::runtime::{Loop, this_loop};
use crate::event::{ExitHow, ObjectId, ObjectKind, Op, WorkerId};
use crate::probe::schedule::Next;
use crate::probe::session::{CurrentWorker, Res, Stop};
use crate::probe::worker::panic_message;
use std::cell::RefCell;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};
use std::task::{Context, Poll, Wake, Waker};

thread_local! {
    /// The task being polled on this thread, if any.
    static CURRENT: RefCell<Option<Rc<CurrentWorker>>> = const { RefCell::new(None) };
}

/// The task being polled: every async primitive reports as it.
pub(super) fn current_task() -> Rc<CurrentWorker> {
    CURRENT
        .with(|c| c.borrow().clone())
        .expect("threadlanes aio primitive used outside a task (start one with aio::run)")
}

/// Who does what is done now: the task being polled, else the thread.
pub(super) fn doer(lp: &Loop) -> Rc<CurrentWorker> {
    CURRENT
        .with(|c| c.borrow().clone())
        .unwrap_or_else(|| lp.thread.clone())
}

/// Declares an object of the loop on this thread, made by the task running now (else the
/// thread).
pub(super) fn declare(name: &str, kind: ObjectKind, capacity: Option<u64>) -> ObjectId {
    let lp = this_loop();
    let by = doer(&lp);
    by.session.declare_object(by.w(), name, kind, capacity)
}

const IDLE: u8 = 0;
const READY: u8 = 1;
const ENDED: u8 = 2;

/// One task's place in the count: ready once however often it is woken, never after its end.
struct Mark {
    state: AtomicU8,
    count: Arc<AtomicUsize>,
}

impl Mark {
    fn ready(&self) {
        if self
            .state
            .compare_exchange(IDLE, READY, Ordering::SeqCst, Ordering::SeqCst)
            .is_ok()
        {
            self.count.fetch_add(1, Ordering::SeqCst);
        }
    }

    /// Polled now, or ended: it no longer counts as ready.
    fn settle(&self, to: u8) {
        if self.state.swap(to, Ordering::SeqCst) == READY {
            self.count.fetch_sub(1, Ordering::SeqCst);
        }
    }
}

/// The waker a task's own future sees: marks the task ready, then wakes it as tokio would.
struct TaskWaker {
    mark: Arc<Mark>,
    inner: Waker,
}

impl Wake for TaskWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }
    fn wake_by_ref(self: &Arc<Self>) {
        self.mark.ready();
        self.inner.wake_by_ref();
    }
}

/// A task as tokio runs it.
struct Instrumented<T> {
    me: Rc<CurrentWorker>,
    lp: Rc<Loop>,
    fut: Pin<Box<dyn Future<Output = Res<T>>>>,
    mark: Arc<Mark>,
    waker: Option<Waker>,
    started: bool,
    ended: bool,
    root: bool,
}

impl<T> Instrumented<T> {
    /// The waker to poll the task's future with, made again only when tokio's changes.
    fn waker(&mut self, outer: &Waker) -> Waker {
        if let Some(w) = &self.waker
            && self.lp_will_wake(outer)
        {
            return w.clone();
        }
        let w = Waker::from(Arc::new(TaskWaker {
            mark: self.mark.clone(),
            inner: outer.clone(),
        }));
        self.waker = Some(w.clone());
        w
    }

    fn lp_will_wake(&self, outer: &Waker) -> bool {
        let pending = self.lp.pending.borrow();
        pending
            .iter()
            .any(|(id, w)| *id == self.me.w() && w.will_wake(outer))
    }

    /// Keeps tokio's waker, to wake this task when the run stops.
    fn remember(&self, outer: &Waker) {
        let mut pending = self.lp.pending.borrow_mut();
        match pending.iter_mut().find(|(id, _)| *id == self.me.w()) {
            Some((_, w)) if w.will_wake(outer) => {}
            Some((_, w)) => *w = outer.clone(),
            None => pending.push((self.me.w(), outer.clone())),
        }
    }

    fn end(&mut self, how: ExitHow, msg: Option<String>) {
        self.ended = true;
        self.mark.settle(ENDED);
        self.me.emit(Op::Exit { how, msg });
        let id = self.me.w();
        self.lp.pending.borrow_mut().retain(|(w, _)| *w != id);
        if self.root {
            self.lp.root_done.set(true);
        }
    }

    /// The first poll: the task's start waits its turn at the gate, as a thread's does.
    fn start(&mut self) -> Option<Res<T>> {
        self.started = true;
        // In step and seeded mode the gate's pick was this task's turn to begin.
        let gate = if self.me.session.gate.controlled() {
            self.me.check()
        } else {
            self.me.gate("begin running", None)
        };
        match gate {
            Ok(()) => {
                self.me.emit(Op::Start);
                None
            }
            Err(stop) => Some(Err(stop)),
        }
    }
}

impl<T> Future for Instrumented<T> {
    type Output = Res<T>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Res<T>> {
        let this = &mut *self;
        this.mark.settle(IDLE);
        // Step and seeded mode: a task goes on only when the gate picks it among those
        // that can (the user, or the seed, chooses who runs at the next await).
        if this.me.session.gate.controlled() && this.me.stopped().is_none() {
            let op = if this.started {
                "go on"
            } else {
                "begin running"
            };
            let next = Next { op, o: None };
            if !this.lp.take_turn(this.me.w(), next, cx.waker()) {
                this.remember(cx.waker());
                return Poll::Pending;
            }
        }
        let waker = this.waker(cx.waker());
        this.remember(cx.waker());
        let prev = CURRENT.with(|c| c.replace(Some(this.me.clone())));
        let early = if this.started { None } else { this.start() };
        let polled = match early {
            Some(stopped) => Ok(Poll::Ready(stopped)),
            None => {
                let fut = &mut this.fut;
                catch_unwind(AssertUnwindSafe(|| {
                    fut.as_mut().poll(&mut Context::from_waker(&waker))
                }))
            }
        };
        CURRENT.with(|c| *c.borrow_mut() = prev);
        match polled {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(res)) => {
                let how = match &res {
                    Ok(_) => ExitHow::Ok,
                    Err(Stop::Cancelled) => ExitHow::Cancelled,
                    Err(Stop::Killed) => ExitHow::Killed,
                };
                this.end(how, None);
                Poll::Ready(res)
            }
            Err(payload) => {
                this.end(ExitHow::Panic, Some(panic_message(&*payload)));
                resume_unwind(payload)
            }
        }
    }
}

impl<T> Drop for Instrumented<T> {
    /// A task dropped before its end (still pending when `run` returns) was cancelled.
    fn drop(&mut self) {
        if !self.ended {
            self.end(ExitHow::Cancelled, None);
        }
    }
}

/// A task started with `create_task`: await it with `result`.
pub struct Task<T> {
    id: WorkerId,
    name: String,
    handle: tokio::task::JoinHandle<Res<T>>,
}

impl<T> Task<T> {
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Awaits the task's end and gives its result (Python's `await task`); a task that
    /// failed fails the awaiting one with the same panic.
    pub async fn result(self) -> Res<T> {
        let me = current_task();
        me.gate("await a task", None)?;
        let target = self.id;
        me.emit(Op::JoinBegin { target });
        let joined = Stoppable::new(&me, self.handle).await?;
        let res = match joined {
            Ok(res) => res,
            Err(e) if e.is_panic() => resume_unwind(e.into_panic()),
            Err(_) => Err(Stop::Cancelled),
        };
        me.emit(Op::JoinEnd { target, ok: true });
        res
    }
}

/// Starts `fut` as a new task of this thread's loop (Python's `asyncio.create_task`). It
/// runs at the next await of the task that made it, not before.
pub fn create_task<T: 'static>(
    name: &str,
    fut: impl Future<Output = Res<T>> + 'static,
) -> Res<Task<T>> {
    let lp = this_loop();
    let by = doer(&lp);
    by.gate("create a task", None)?;
    Ok(spawn(&lp, name, by.w(), fut, false))
}

/// The loop's first task: `run` awaits its end.
pub(super) async fn run_root<T: 'static>(
    name: String,
    fut: impl Future<Output = Res<T>> + 'static,
) -> Res<T> {
    let lp = this_loop();
    let task = spawn(&lp, &name, lp.thread.w(), fut, true);
    match task.handle.await {
        Ok(res) => res,
        Err(e) if e.is_panic() => resume_unwind(e.into_panic()),
        Err(_) => Err(Stop::Cancelled),
    }
}

fn spawn<T: 'static>(
    lp: &Rc<Loop>,
    name: &str,
    parent: WorkerId,
    fut: impl Future<Output = Res<T>> + 'static,
    root: bool,
) -> Task<T> {
    let s = lp.thread.session.clone();
    let ctl = s.declare_task(name, parent, lp.thread.w());
    let me = Rc::new(CurrentWorker::new(s, ctl));
    let id = me.w();
    // A task is scheduled as soon as it exists: it counts as ready until first polled.
    let mark = Arc::new(Mark {
        state: AtomicU8::new(IDLE),
        count: lp.ready.0.clone(),
    });
    mark.ready();
    let task = Instrumented {
        me,
        lp: lp.clone(),
        fut: Box::pin(fut),
        mark,
        waker: None,
        started: false,
        ended: false,
        root,
    };
    Task {
        id,
        name: name.to_string(),
        handle: tokio::task::spawn_local(task),
    }
}

/// Awaits each task in the order given and gives their results in that order (Python's
/// `asyncio.gather`): submission order, whatever order they finish in.
pub async fn gather<T: 'static>(tasks: Vec<Task<T>>) -> Res<Vec<T>> {
    let mut out = Vec::with_capacity(tasks.len());
    for t in tasks {
        out.push(t.result().await?);
    }
    Ok(out)
}

/// Prints a line from the current task (Python's `print` inside a coroutine).
pub fn say(text: impl Into<String>) -> Res<()> {
    let me = current_task();
    me.gate("say", None)?;
    me.emit(Op::Say { text: text.into() });
    Ok(())
}

/// A future that gives up at once when its task must stop (the run is ending): every
/// await of a task goes through one, so a stop ends even a task no one will ever wake.
pub(super) struct Stoppable<F> {
    me: Rc<CurrentWorker>,
    fut: Pin<Box<F>>,
}

impl<F: Future> Stoppable<F> {
    pub fn new(me: &Rc<CurrentWorker>, fut: F) -> Stoppable<F> {
        Stoppable {
            me: me.clone(),
            fut: Box::pin(fut),
        }
    }
}

impl<F: Future> Future for Stoppable<F> {
    type Output = Res<F::Output>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        if let Some(stop) = self.me.stopped() {
            return Poll::Ready(Err(stop));
        }
        self.fut.as_mut().poll(cx).map(Ok)
    }
}
