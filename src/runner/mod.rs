//! runner: starts a scenario's workers, owns the clock, the gate and cancellation.
//!
//! A `Run` is one execution of one scenario: main runs on its own thread as worker 0; a
//! supervisor thread waits for main, then (as Python does at exit) for every non-daemon
//! worker, then kills the daemons. `stop` ends everything promptly, deadlocks included.

pub mod clock;
pub mod gate;

pub use gate::{Mode, Parked, StepError};

use crate::event::WorkerKind;
use crate::probe::session::Session;
use crate::probe::worker::spawn;
use crate::probe::{Events, Res};
use clock::Clock;
use gate::Gate;
use parking_lot::{Condvar, Mutex};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

#[derive(Clone, Copy, Debug)]
pub struct Options {
    pub speed: f64,
    pub paused: bool,
    pub seed: u64,
    /// Free (the OS schedules), step (the user does) or seeded (the seed does).
    pub mode: Mode,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            speed: 1.0,
            paused: false,
            seed: 0,
            mode: Mode::Free,
        }
    }
}

/// Set once the supervisor has seen every worker end.
#[derive(Default)]
struct Finished {
    done: Mutex<bool>,
    cv: Condvar,
}

pub struct Run {
    session: Arc<Session>,
    /// The run's clock and gate: the session reads them, the run changes them.
    clock: Arc<Clock>,
    gate: Arc<Gate>,
    rx: Events,
    finished: Arc<Finished>,
    supervisor: Option<JoinHandle<()>>,
    pub options: Options,
}

impl Run {
    /// Starts `main` as worker 0 on its own thread.
    pub fn start<F>(main: F, options: Options) -> Run
    where
        F: FnOnce() -> Res<()> + Send + 'static,
    {
        let frozen = options.mode != Mode::Free;
        let clock = Arc::new(Clock::starting(options.speed, options.paused, frozen));
        let gate = Arc::new(Gate::new(options.mode, options.paused, options.seed));
        let (session, rx) = Session::new(clock.clone(), gate.clone());
        let main_ctl = spawn(&session, "main", WorkerKind::Main, false, None, main);
        let finished = Arc::new(Finished::default());
        let (s, f) = (session.clone(), finished.clone());
        let supervisor = std::thread::Builder::new()
            .name("threadlanes-supervisor".into())
            .spawn(move || {
                main_ctl.wait_done(|| false);
                supervise(&s);
                *f.done.lock() = true;
                f.cv.notify_all();
            })
            .expect("the supervisor thread starts");
        Run {
            session,
            clock,
            gate,
            rx,
            finished,
            supervisor: Some(supervisor),
            options,
        }
    }

    /// The run's events, in a true order of the operations.
    pub fn events(&self) -> &Events {
        &self.rx
    }

    pub fn session(&self) -> &Arc<Session> {
        &self.session
    }

    /// Pause freezes virtual time and holds every worker at its next operation.
    pub fn set_paused(&self, paused: bool) {
        self.clock.set_paused(paused);
        self.gate.set_held(paused);
        self.session.pause_companions(paused);
    }

    /// Switches between free, step and seeded scheduling while the run goes on. Time is
    /// frozen unless free; workers waiting on a condvar are woken so they move to the gate
    /// (or back).
    pub fn set_mode(&self, mode: Mode) {
        self.gate.set_mode(mode);
        self.clock.set_frozen(mode != Mode::Free);
        self.session.wake_all();
    }

    /// How workers are scheduled now.
    pub fn mode(&self) -> Mode {
        self.gate.mode()
    }

    /// Step mode: lets worker `w` do its next operation; the error says why it cannot.
    pub fn step(&self, w: crate::event::WorkerId) -> Result<(), StepError> {
        self.gate.step(w)
    }

    /// Seeded mode: nobody can go any more (deadlock, or waits nobody will end).
    pub fn is_stuck(&self) -> bool {
        self.gate.is_stuck()
    }

    /// The workers parked at the gate and what each is about to do.
    pub fn parked(&self) -> Vec<Parked> {
        self.gate.parked()
    }

    pub fn set_speed(&self, speed: f64) {
        self.clock.set_speed(speed);
    }

    pub fn now(&self) -> u64 {
        self.clock.now()
    }

    /// True once every worker has ended and its thread is joined.
    pub fn is_finished(&self) -> bool {
        *self.finished.done.lock()
    }

    /// Waits up to `d` for the run to finish by itself.
    pub fn wait_finished(&self, d: Duration) -> bool {
        let deadline = Instant::now() + d;
        let mut done = self.finished.done.lock();
        while !*done {
            if self.finished.cv.wait_until(&mut done, deadline).timed_out() {
                return *done;
            }
        }
        true
    }

    /// Ends every worker, even one blocked forever, and waits for all of them: the whole
    /// stop takes at most `within`. Returns false if some thread had not ended by then (it is
    /// left detached, already told to stop).
    pub fn stop(&mut self, within: Duration) -> bool {
        let start = Instant::now();
        // Seeded, the run must end the same way every time: one worker at a time, in id
        // order. Otherwise all at once: one at a time wakes every parked worker for each
        // worker stopped, which took seconds with a thousand workers queued on one lock.
        if self.mode() == Mode::Seeded {
            // Held meanwhile: nothing else is scheduled while workers end one by one.
            self.gate.set_held(true);
            self.session.cancel_in_order(start + within / 2);
            self.gate.set_held(false);
        } else {
            self.session.cancel();
        }
        let ok = self.wait_finished(within.saturating_sub(start.elapsed()));
        // Stopped either way: dropping the run must not wait a second time.
        let supervisor = self.supervisor.take();
        if ok && let Some(h) = supervisor {
            let _ = h.join();
        }
        ok
    }
}

impl Drop for Run {
    fn drop(&mut self) {
        if self.supervisor.is_some() {
            self.stop(Duration::from_millis(500));
        }
    }
}

/// After main: wait for every non-daemon worker (new ones may start meanwhile), then kill the
/// daemons, then join every thread.
fn supervise(s: &Arc<Session>) {
    loop {
        let pending: Vec<_> = s
            .workers()
            .into_iter()
            .filter(|w| !w.daemon && !w.is_done())
            .collect();
        if pending.is_empty() {
            break;
        }
        for w in pending {
            w.wait_done(|| false);
        }
    }
    // One at a time, in id order, so a seeded run ends the same way every time.
    for w in s.workers() {
        if w.daemon && !w.is_done() {
            s.kill(&w);
            w.wait_done(|| false);
        }
    }
    s.join_threads();
    // Child processes left running are killed, as Python terminates daemonic children at
    // exit; the run is finished once every child's stream has been read to its end.
    s.finish_companions();
}
