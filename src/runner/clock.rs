//! Virtual time. Scenario sleeps and event timestamps go through it: speed scales it, pause
//! freezes it. Real time is only the source it advances from.
//!
//! The source is the CPU's time-stamp counter through `quanta` (about a third of the cost of
//! `Instant::now()`; quanta falls back to the OS clock where the TSC is not reliable). `now()`
//! is on the probe's emit path, so it takes no lock: the few values it needs are published
//! as a seqlock that the rare writers (pause, speed, freeze, `run_to`) update under the
//! mutex sleepers wait on.

use crate::probe::schedule::Timekeeper;
use parking_lot::{Condvar, Mutex};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering, fence};
use std::time::Duration;

/// The process's one calibrated TSC clock (calibrated once, on first use).
fn source() -> &'static quanta::Clock {
    static SOURCE: OnceLock<quanta::Clock> = OnceLock::new();
    SOURCE.get_or_init(quanta::Clock::new)
}

fn raw() -> u64 {
    source().raw()
}

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

    /// Moves the base to now so a change of speed or pause applies from this instant on.
    fn rebase(&mut self) {
        let r = raw();
        if !(self.paused || self.frozen) {
            self.base_virtual = advance(self.base_virtual, self.base_raw, self.speed, r);
        }
        self.base_raw = r;
    }
}

fn advance(base_virtual: u64, base_raw: u64, speed: f64, now_raw: u64) -> u64 {
    by_speed(
        base_virtual,
        source().delta_as_nanos(base_raw, now_raw),
        speed,
    )
}

/// `base_virtual` plus `real` ns of real time at `speed`.
#[inline]
fn by_speed(base_virtual: u64, real: u64, speed: f64) -> u64 {
    // Real speed (the default) skips the two conversions through f64: the same value up
    // to 2^53 ns (104 days) of run, exact beyond. On every watched operation's path.
    if speed == 1.0 {
        return base_virtual + real;
    }
    base_virtual + scaled(real, speed)
}

/// Out of line so the real-speed path is a branch, not both computed and one picked.
#[cold]
#[inline(never)]
fn scaled(real: u64, speed: f64) -> u64 {
    (real as f64 * speed) as u64
}

/// What `now()` reads without a lock: a seqlock over the state's base.
#[derive(Debug, Default)]
struct Published {
    /// Odd while a writer is changing the fields.
    version: AtomicU64,
    base_virtual: AtomicU64,
    base_raw: AtomicU64,
    /// f64 bits of the speed; 0.0 while time stands still (paused or frozen).
    speed: AtomicU64,
}

impl Published {
    fn store(&self, s: &State) {
        let v = self.version.load(Ordering::Relaxed);
        self.version.store(v.wrapping_add(1), Ordering::Relaxed);
        fence(Ordering::Release);
        let speed = if s.paused || s.frozen { 0.0 } else { s.speed };
        self.base_virtual.store(s.base_virtual, Ordering::Relaxed);
        self.base_raw.store(s.base_raw, Ordering::Relaxed);
        self.speed.store(speed.to_bits(), Ordering::Relaxed);
        self.version.store(v.wrapping_add(2), Ordering::Release);
    }

    #[inline]
    fn now(&self) -> u64 {
        loop {
            let v = self.version.load(Ordering::Acquire);
            if v & 1 == 0 {
                let base_virtual = self.base_virtual.load(Ordering::Relaxed);
                let base_raw = self.base_raw.load(Ordering::Relaxed);
                let speed = f64::from_bits(self.speed.load(Ordering::Relaxed));
                fence(Ordering::Acquire);
                if self.version.load(Ordering::Relaxed) == v {
                    if speed == 0.0 {
                        return base_virtual;
                    }
                    // One look at the source for both the read and the delta.
                    let src = source();
                    return by_speed(base_virtual, src.delta_as_nanos(base_raw, src.raw()), speed);
                }
            }
            std::hint::spin_loop();
        }
    }
}

#[derive(Debug)]
pub struct Clock {
    state: Mutex<State>,
    cv: Condvar,
    published: Published,
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
        let published = Published::default();
        published.store(&state);
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
        self.published.store(&s);
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
        self.published.store(&s);
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
    #[inline]
    fn now(&self) -> u64 {
        Clock::now(self)
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
