//! Workers: `Thread` (Python's `threading.Thread`), `join`, `sleep`, `say`, and the
//! scenario's `outcome`. Each worker is a real `std::thread`.

use super::schedule::{Mode, Next, Ready};
use super::session::{CurrentWorker, Res, Session, Stop, WorkerCtl, current_worker, set_current};
use super::wait::secs_to_ns;
use crate::event::{ExitHow, Op, WorkerKind};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::rc::Rc;
use std::sync::Arc;

/// A thread to start, Python style: `Thread::new("job1").daemon(true).start(move || ...)`.
pub struct Thread {
    name: String,
    daemon: bool,
}

/// A started worker: join it, ask whether it is alive.
#[derive(Clone)]
pub struct Handle {
    ctl: Arc<WorkerCtl>,
}

impl Thread {
    pub fn new(name: impl Into<String>) -> Thread {
        Thread {
            name: name.into(),
            daemon: false,
        }
    }

    /// A daemon worker is killed when main (and every non-daemon worker) has ended.
    pub fn daemon(mut self, daemon: bool) -> Thread {
        self.daemon = daemon;
        self
    }

    /// Starts the worker on a new OS thread.
    pub fn start<F>(self, f: F) -> Res<Handle>
    where
        F: FnOnce() -> Res<()> + Send + 'static,
    {
        let me = current_worker();
        me.gate(Next::START_THREAD.op, None)?;
        let ctl = spawn(
            &me.session,
            &self.name,
            WorkerKind::Thread,
            self.daemon,
            Some(me.w()),
            f,
        );
        Ok(Handle { ctl })
    }
}

impl Handle {
    /// Waits for the worker to end (Python's `join()`).
    pub fn join(&self) -> Res<()> {
        let me = current_worker();
        me.gate("join", None)?;
        let target = self.ctl.id;
        me.emit(Op::JoinBegin { target });
        let gate = &me.session.gate;
        while !self.ctl.is_done() && me.stopped().is_none() {
            if gate.controlled() {
                let ctl = self.ctl.clone();
                let ready: Ready = Arc::new(move || ctl.is_done());
                let next = Next {
                    op: "join",
                    o: None,
                };
                gate.park_until(me.w(), next, Some(ready), None, &|| me.stopped().is_some());
            } else {
                self.ctl
                    .wait_done(|| me.stopped().is_some() || gate.controlled());
            }
        }
        // The target may have ended because the whole run is stopping: then so do we.
        me.check()?;
        me.emit(Op::JoinEnd { target, ok: true });
        Ok(())
    }

    pub fn is_alive(&self) -> bool {
        !self.ctl.is_done()
    }

    pub fn name(&self) -> &str {
        &self.ctl.name
    }
}

/// Declares and starts a worker of any kind on a new OS thread: the runner starts main with
/// it, a child process its role.
pub fn spawn<F>(
    s: &Arc<Session>,
    name: &str,
    kind: WorkerKind,
    daemon: bool,
    parent: Option<u32>,
    f: F,
) -> Arc<WorkerCtl>
where
    F: FnOnce() -> Res<()> + Send + 'static,
{
    let ctl = s.declare_worker(name, kind, daemon, parent);
    let (s2, c2) = (s.clone(), ctl.clone());
    let h = std::thread::Builder::new()
        .name(name.to_string())
        .spawn(move || run_worker(s2, c2, f))
        .unwrap_or_else(|e| panic!("could not start thread {name}: {e}"));
    s.keep_handle(h);
    ctl
}

fn run_worker<F>(s: Arc<Session>, ctl: Arc<WorkerCtl>, f: F)
where
    F: FnOnce() -> Res<()>,
{
    let id = ctl.id;
    set_current(Some(Rc::new(CurrentWorker::new(s.clone(), ctl.clone()))));
    // In seeded mode even the start waits its turn (step mode lets it through: see
    // `Next::is_setup`). A worker stopped before its turn still runs its body: its first
    // operation returns the stop at once, so the body's own clean-up (and accounting) happens
    // as for any stop.
    s.pass_gate(id, Next::BEGIN, &|| {
        s.is_cancelled() || ctl.is_killed() || ctl.is_cancelled()
    });
    s.emit(id, Op::Start);
    let (how, msg) = match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(())) => (ExitHow::Ok, None),
        Ok(Err(Stop::Cancelled)) => (ExitHow::Cancelled, None),
        Ok(Err(Stop::Killed)) => (ExitHow::Killed, None),
        Err(payload) => (ExitHow::Panic, Some(panic_message(&*payload))),
    };
    // Exit is sent before `done` is set, so a join's end always follows the exit.
    s.emit(id, Op::Exit { how, msg });
    set_current(None);
    ctl.finish();
    // The last non-daemon worker out stops all scheduling at once, before any daemon moves
    // again: the daemons are killed where they stand, as Python does at exit.
    if !ctl.daemon && s.workers().iter().all(|w| w.daemon || w.is_done()) {
        s.gate.set_held(true);
    }
    s.gate.exited();
}

pub(crate) fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "panic".to_string()
    }
}

/// Sleeps `secs` seconds of virtual time (Python's `time.sleep`).
pub fn sleep(secs: f64) -> Res<()> {
    let me = current_worker();
    me.gate("sleep", None)?;
    let ns = secs_to_ns(secs);
    me.emit(Op::SleepBegin { ms: ns / 1_000_000 });
    let clock = &me.session.clock;
    let deadline = clock.now().saturating_add(ns);
    let stopped = || me.stopped().is_some();
    // Step mode: the user let this sleep happen, so it happens whole, as one step; time
    // jumps to its end (it does not run by itself in step mode).
    if me.session.gate.mode() == Mode::Step {
        clock.run_to(deadline, false, &stopped);
    }
    while clock.now() < deadline {
        me.check()?;
        let gate = &me.session.gate;
        if gate.controlled() {
            // Parked as a sleeper: picked when it is due first (seeded) or by the user (step);
            // then time moves to its deadline, paced in seeded mode so it can be watched.
            let next = Next {
                op: "sleep",
                o: None,
            };
            if gate.park_until(me.w(), next, None, Some(deadline), &stopped) && gate.controlled() {
                let pace = gate.mode() == Mode::Seeded;
                clock.run_to(deadline, pace, &stopped);
            }
        } else {
            clock.sleep_until(deadline, &|| stopped() || gate.controlled());
        }
    }
    me.check()?;
    me.emit(Op::SleepEnd);
    Ok(())
}

/// Prints a line from this worker (Python's `print`): it shows in the log.
pub fn say(text: impl Into<String>) -> Res<()> {
    let me = current_worker();
    me.gate("say", None)?;
    me.emit(Op::Say { text: text.into() });
    Ok(())
}

/// Lets the OS run another thread now, and stops if told to. Scenarios use it to widen a
/// race window honestly (the same effect as a GIL switch between a read and a write).
pub fn yield_now() -> Res<()> {
    current_worker().check()?;
    std::thread::yield_now();
    Ok(())
}

/// The scenario states its measured outcome; `ok` is whether a correct program gets it.
pub fn outcome(text: impl Into<String>, ok: bool) {
    current_worker().emit(Op::Outcome {
        text: text.into(),
        ok,
    });
}

/// The name of the current worker (Python's `threading.current_thread().name`).
pub fn current_name() -> String {
    current_worker().ctl.name.clone()
}

/// Virtual seconds since the run started (Python's `time.time()` relative to the start).
pub fn now() -> f64 {
    current_worker().now() as f64 / 1e9
}

/// The speed of the current run's clock (virtual seconds per real second): a scenario that
/// sizes real work to its lanes' time reads it.
pub fn speed() -> f64 {
    current_worker().session.clock.speed()
}

/// How the current run schedules its workers: a scenario whose outcome reads differently
/// when the OS or a seed decides says so by it.
pub fn mode() -> super::Mode {
    current_worker().session.gate.mode()
}
