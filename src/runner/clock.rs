//! Virtual time. Scenario sleeps and event timestamps go through it: speed scales it, pause
//! freezes it. Real time is only the source it advances from.
//!
//! `now()` is on the probe's emit path, so it takes no lock and no call: the few values it
//! needs are published in a `probe::time_base::TimeBase` (a seqlock the probe reads in
//! place) that the rare writers here (pause, speed, freeze, `run_to`) update under the mutex
//! sleepers wait on.

use crate::probe::schedule::Timekeeper;
use crate::probe::time_base::{TimeBase, advance, raw};
use parking_lot::{Condvar, Mutex};
use std::time::Duration;

#[derive(Debug)]
struct State {
    /// Virtual ns at `base_raw`.
    base_virtual: u64,
    /// Source ticks at the base.
    base_raw: u64,
    speed: f64,
    paused: bool,
    /// Step and seeded mode: time moves only when a sleeper is picked (`run_to`).
    frozen: bool,
}

impl State {
    fn now(&self) -> u64 {
        if self.paused || self.frozen {
            return self.base_virtual;
        }
        advance(self.base_virtual, self.base_raw, self.speed, raw())
    }

    /// Publishes the base for lock-free readers; time stands still (speed 0) while paused or
    /// frozen.
    fn publish(&self, to: &TimeBase) {
        let speed = if self.paused || self.frozen {
            0.0
        } else {
            self.speed
        };
        to.store(self.base_virtual, self.base_raw, speed);
    }

    /// Moves the base to now so a change of speed or pause applies from this instant on.
    fn rebase(&mut self) {
        let r = raw();
        if !(self.paused || self.frozen) {
            self.base_virtual = advance(self.base_virtual, self.base_raw, self.speed, r);
        }
        self.base_raw = r;
    }
}

#[derive(Debug)]
pub struct Clock {
    state: Mutex<State>,
    cv: Condvar,
    published: TimeBase,
}

/// The slowest and fastest speeds the TUI offers; headless runs may go faster.
pub const MIN_SPEED: f64 = 0.1;
pub const MAX_SPEED: f64 = 1000.0;

impl Clock {
    pub fn new(speed: f64, paused: bool) -> Clock {
        Clock::starting(speed, paused, false)
    }

    /// A clock frozen from its first instant (step and seeded mode), so no real time leaks
    /// into a seeded run before it is frozen: at speed ×1000 a 0.2 ms delay is 0.2 s.
    pub fn starting(speed: f64, paused: bool, frozen: bool) -> Clock {
        let state = State {
            base_virtual: 0,
            base_raw: raw(),
            speed: speed.clamp(MIN_SPEED, MAX_SPEED),
            paused,
            frozen,
        };
        let published = TimeBase::default();
        state.publish(&published);
        Clock {
            state: Mutex::new(state),
            cv: Condvar::new(),
            published,
        }
    }

    /// Virtual nanoseconds since the run started. Lock-free: the probe stamps every event
    /// with it.
    #[inline]
    pub fn now(&self) -> u64 {
        self.published.now()
    }

    pub fn speed(&self) -> f64 {
        self.state.lock().speed
    }

    /// Applies a change to the state from this instant on, publishes it and wakes sleepers.
    fn change(&self, f: impl FnOnce(&mut State)) {
        let mut s = self.state.lock();
        s.rebase();
        f(&mut s);
        s.publish(&self.published);
        self.cv.notify_all();
    }

    pub fn set_speed(&self, speed: f64) {
        self.change(|s| s.speed = speed.clamp(MIN_SPEED, MAX_SPEED));
    }

    pub fn set_paused(&self, paused: bool) {
        self.change(|s| s.paused = paused);
    }

    pub fn is_paused(&self) -> bool {
        self.state.lock().paused
    }

    /// Freezes time (step and seeded mode) or lets it flow again (free mode).
    pub fn set_frozen(&self, frozen: bool) {
        self.change(|s| s.frozen = frozen);
    }

    /// In frozen time, moves time to `t`: at once, or (`pace`) taking the real time it takes
    /// at the current speed, pause included, so a seeded run can be watched. False if
    /// stopped on the way.
    pub fn run_to(&self, t: u64, pace: bool, stopped: impl Fn() -> bool) -> bool {
        let start = self.now();
        let mut ok = true;
        if pace && t > start {
            self.change(|s| s.frozen = false);
            ok = self.sleep_until(t, &stopped);
        }
        let mut s = self.state.lock();
        s.rebase();
        s.frozen = true;
        if ok {
            // Exactly `t` (pacing overshoots by a hair), so seeded runs stamp alike; never back.
            s.base_virtual = start.max(t);
        }
        s.publish(&self.published);
        ok
    }

    /// Wakes every sleeper so it re-checks its stop flag.
    pub fn wake_all(&self) {
        let _s = self.state.lock();
        self.cv.notify_all();
    }

    /// Sleeps until virtual time reaches `deadline`, or `stopped()` says to give up (then
    /// returns false). While paused it waits without a timeout; any change wakes it.
    pub fn sleep_until(&self, deadline: u64, stopped: impl Fn() -> bool) -> bool {
        let mut s = self.state.lock();
        loop {
            if stopped() {
                return false;
            }
            let now = s.now();
            if now >= deadline {
                return true;
            }
            if s.paused || s.frozen {
                self.cv.wait(&mut s);
            } else {
                let real_ns = ((deadline - now) as f64 / s.speed).ceil() as u64;
                self.cv
                    .wait_for(&mut s, Duration::from_nanos(real_ns.max(1)));
            }
        }
    }
}
/// The probe's view of the clock: what its workers need to stamp events and sleep.
impl Timekeeper for Clock {
    fn time_base(&self) -> &TimeBase {
        &self.published
    }

    fn speed(&self) -> f64 {
        Clock::speed(self)
    }

    fn sleep_until(&self, deadline: u64, stopped: &dyn Fn() -> bool) -> bool {
        Clock::sleep_until(self, deadline, stopped)
    }

    fn run_to(&self, t: u64, pace: bool, stopped: &dyn Fn() -> bool) -> bool {
        Clock::run_to(self, t, pace, stopped)
    }

    fn wake_all(&self) {
        Clock::wake_all(self);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    #[test]
    fn pause_freezes_virtual_time() {
        let c = Clock::new(1.0, true);
        let a = c.now();
        std::thread::sleep(Duration::from_millis(5));
        assert_eq!(c.now(), a);
        c.set_paused(false);
        std::thread::sleep(Duration::from_millis(5));
        assert!(c.now() >= a + 4_000_000);
    }

    #[test]
    fn speed_scales_time() {
        let c = Clock::new(100.0, false);
        let start = Instant::now();
        assert!(c.sleep_until(200_000_000, || false)); // 200 ms virtual = 2 ms real
        assert!(start.elapsed() < Duration::from_millis(150));
    }

    #[test]
    fn a_stopped_sleeper_returns_at_once() {
        let c = Clock::new(1.0, true);
        assert!(!c.sleep_until(u64::MAX, || true));
    }
}
