//! Virtual time. Scenario sleeps and event timestamps go through it: speed scales it, pause
//! freezes it. Real time is only the source it advances from.

use parking_lot::{Condvar, Mutex};
use std::time::{Duration, Instant};

#[derive(Debug)]
struct State {
    /// Virtual ns at `base_real`.
    base_virtual: u64,
    base_real: Instant,
    speed: f64,
    paused: bool,
    /// Step and seeded mode: time moves only when a sleeper is picked (`run_to`).
    frozen: bool,
    /// Bumped on every change, so sleepers recompute their deadline.
    generation: u64,
}

impl State {
    fn now(&self) -> u64 {
        if self.paused || self.frozen {
            return self.base_virtual;
        }
        let real = self.base_real.elapsed().as_nanos() as f64;
        self.base_virtual + (real * self.speed) as u64
    }

    /// Moves the base to now so a change of speed or pause applies from this instant on.
    fn rebase(&mut self) {
        self.base_virtual = self.now();
        self.base_real = Instant::now();
        self.generation += 1;
    }
}

#[derive(Debug)]
pub struct Clock {
    state: Mutex<State>,
    cv: Condvar,
}

/// The slowest and fastest speeds the TUI offers; headless runs may go faster.
pub const MIN_SPEED: f64 = 0.1;
pub const MAX_SPEED: f64 = 1000.0;

impl Clock {
    pub fn new(speed: f64, paused: bool) -> Clock {
        Clock {
            state: Mutex::new(State {
                base_virtual: 0,
                base_real: Instant::now(),
                speed: speed.clamp(MIN_SPEED, MAX_SPEED),
                paused,
                frozen: false,
                generation: 0,
            }),
            cv: Condvar::new(),
        }
    }

    /// Virtual nanoseconds since the run started.
    pub fn now(&self) -> u64 {
        self.state.lock().now()
    }

    pub fn speed(&self) -> f64 {
        self.state.lock().speed
    }

    pub fn set_speed(&self, speed: f64) {
        let mut s = self.state.lock();
        s.rebase();
        s.speed = speed.clamp(MIN_SPEED, MAX_SPEED);
        self.cv.notify_all();
    }

    pub fn set_paused(&self, paused: bool) {
        let mut s = self.state.lock();
        s.rebase();
        s.paused = paused;
        self.cv.notify_all();
    }

    pub fn is_paused(&self) -> bool {
        self.state.lock().paused
    }

    /// Freezes time (step and seeded mode) or lets it flow again (free mode).
    pub fn set_frozen(&self, frozen: bool) {
        let mut s = self.state.lock();
        s.rebase();
        s.frozen = frozen;
        self.cv.notify_all();
    }

    /// In frozen time, moves time to `t`: at once, or (`pace`) taking the real time it takes
    /// at the current speed, pause included, so a seeded run can be watched. False if
    /// stopped on the way.
    pub fn run_to(&self, t: u64, pace: bool, stopped: impl Fn() -> bool) -> bool {
        let start = self.now();
        let mut ok = true;
        if pace && t > start {
            {
                let mut s = self.state.lock();
                s.rebase();
                s.frozen = false;
            }
            ok = self.sleep_until(t, &stopped);
        }
        let mut s = self.state.lock();
        s.rebase();
        s.frozen = true;
        if ok {
            // Exactly `t` (pacing overshoots by a hair), so seeded runs stamp alike; never back.
            s.base_virtual = start.max(t);
        }
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

#[cfg(test)]
mod tests {
    use super::*;

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
