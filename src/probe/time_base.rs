//! Virtual time as the probe reads it: a base its owner (the runner's clock) publishes, read
//! in place on every watched operation with no lock and no call.
//!
//! The source is the CPU's time-stamp counter through `quanta` (about a third of the cost of
//! `Instant::now()`; quanta falls back to the OS clock where the TSC is not reliable).
//!
//! Must not: decide anything about time (pause, speed, freezing are the clock's); it only
//! publishes and reads.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering, fence};

/// The process's one calibrated TSC clock (calibrated once, on first use).
fn source() -> &'static quanta::Clock {
    static SOURCE: OnceLock<quanta::Clock> = OnceLock::new();
    SOURCE.get_or_init(quanta::Clock::new)
}

/// The source's tick now.
pub fn raw() -> u64 {
    source().raw()
}

/// `base_virtual` advanced by the source's ticks from `base_raw` to `now_raw`, at `speed`.
pub fn advance(base_virtual: u64, base_raw: u64, speed: f64, now_raw: u64) -> u64 {
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

/// Virtual time as its owner publishes it: a seqlock over a base (virtual ns at a source
/// tick) and a speed, read without a lock.
#[derive(Debug, Default)]
pub struct TimeBase {
    /// Odd while a writer is changing the fields.
    version: AtomicU64,
    base_virtual: AtomicU64,
    base_raw: AtomicU64,
    /// f64 bits of the speed; 0.0 while time stands still (paused or frozen).
    speed: AtomicU64,
}

impl TimeBase {
    /// Publishes a new base: `base_virtual` ns at source tick `base_raw`, advancing at
    /// `speed` (0.0: time stands still). Writers must not race each other (the owner calls
    /// this under its own lock).
    pub fn store(&self, base_virtual: u64, base_raw: u64, speed: f64) {
        let v = self.version.load(Ordering::Relaxed);
        self.version.store(v.wrapping_add(1), Ordering::Relaxed);
        fence(Ordering::Release);
        self.base_virtual.store(base_virtual, Ordering::Relaxed);
        self.base_raw.store(base_raw, Ordering::Relaxed);
        self.speed.store(speed.to_bits(), Ordering::Relaxed);
        self.version.store(v.wrapping_add(2), Ordering::Release);
    }

    /// Virtual nanoseconds now.
    #[inline]
    pub fn now(&self) -> u64 {
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
