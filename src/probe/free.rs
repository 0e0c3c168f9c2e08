//! The simplest schedule: real time and a gate that is always open. For a program of its
//! own that uses the probe without the runner (no pause, no step, no seed), and for the
//! probe's own tests.
//!
//! Must not: grow into a second runner; stepping and seeding are the runner's.

use super::schedule::{Gatekeeper, Mode, Next, Ready, Timekeeper};
use super::session::Session;
use super::sink::Events;
use super::time_base::{TimeBase, raw};
use crate::event::WorkerId;
use parking_lot::{Condvar, Mutex};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

/// Real time since it was made, and an open gate.
pub struct Free {
    time: TimeBase,
    open: AtomicBool,
    sleeping: Mutex<()>,
    cv: Condvar,
}

impl Default for Free {
    fn default() -> Free {
        let time = TimeBase::default();
        time.store(0, raw(), 1.0);
        Free {
            time,
            open: AtomicBool::new(true),
            sleeping: Mutex::new(()),
            cv: Condvar::new(),
        }
    }
}

impl Free {
    /// A session over real time and an open gate, and the viewer's end of its events.
    pub fn session() -> (Arc<Session>, Events) {
        let free = Arc::new(Free::default());
        Session::new(free.clone(), free)
    }

    /// The same, nobody watching: the probe builds no events at all.
    pub fn session_without_viewer() -> Arc<Session> {
        let free = Arc::new(Free::default());
        Session::without_viewer(free.clone(), free)
    }
}

impl Timekeeper for Free {
    fn time_base(&self) -> &TimeBase {
        &self.time
    }

    fn speed(&self) -> f64 {
        1.0
    }

    fn sleep_until(&self, deadline: u64, stopped: &dyn Fn() -> bool) -> bool {
        let mut g = self.sleeping.lock();
        loop {
            if stopped() {
                return false;
            }
            let now = self.now();
            if now >= deadline {
                return true;
            }
            self.cv
                .wait_for(&mut g, Duration::from_nanos(deadline - now));
        }
    }

    fn run_to(&self, t: u64, _pace: bool, stopped: &dyn Fn() -> bool) -> bool {
        self.sleep_until(t, stopped)
    }

    fn wake_all(&self) {
        let _g = self.sleeping.lock();
        self.cv.notify_all();
    }
}

impl Gatekeeper for Free {
    fn open_flag(&self) -> &AtomicBool {
        &self.open
    }

    fn mode(&self) -> Mode {
        Mode::Free
    }

    fn park_until(
        &self,
        _w: WorkerId,
        _next: Next,
        _ready: Option<Ready>,
        _wake_at: Option<u64>,
        _stopped: &dyn Fn() -> bool,
    ) -> bool {
        // Never closed: a parked waiter goes back to its own condvar at once.
        true
    }

    fn set_held(&self, _held: bool) {}
    fn spawned(&self) {}
    fn exited(&self) {}
    fn external_started(&self) {}
    fn external_ended(&self) {}
    fn poke(&self) {}
    fn wake_all(&self) {}
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{Op, WorkerKind};
    use crate::probe::{Lock, Thread, attach};

    /// A program of its own: no runner, no scenario, its main thread attached.
    #[test]
    fn the_probe_runs_without_the_runner() {
        let (s, events) = Free::session();
        attach(&s, "main", WorkerKind::Main);
        let lock = Lock::new("L");
        let l2 = lock.clone();
        let t = Thread::new("t")
            .start(move || {
                l2.acquire()?;
                l2.release()
            })
            .expect("not stopped");
        t.join().expect("not stopped");
        lock.acquire().expect("not stopped");
        lock.release().expect("not stopped");
        let ops: Vec<Op> = events.try_iter().map(|e| e.op).collect();
        let releases = ops
            .iter()
            .filter(|o| matches!(o, Op::Release { .. }))
            .count();
        assert_eq!(releases, 2, "{ops:?}");
        s.cancel();
        s.join_threads();
    }
}
