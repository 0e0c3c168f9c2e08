//! The one way a probe primitive blocks: on its own parking_lot condvar, re-checking the
//! worker's stop flags at every wake-up, so restart and quit end even a deadlocked worker.

use super::session::{Me, Res};
use parking_lot::{Condvar, MutexGuard};
use std::time::Duration;

/// Longest real wait between checks of a virtual-time deadline (speed or pause may change).
const RECHECK: Duration = Duration::from_millis(50);

/// Waits on `cv` while `blocked(state)` holds. `timeout_ns` is virtual time; on timeout
/// returns `Ok(false)`. Returns `Err(stop)` if the worker is told to stop first.
pub(crate) fn wait_while<T>(
    me: &Me,
    cv: &Condvar,
    g: &mut MutexGuard<'_, T>,
    timeout_ns: Option<u64>,
    mut blocked: impl FnMut(&mut T) -> bool,
) -> Res<bool> {
    let deadline = timeout_ns.map(|t| me.s.clock.now().saturating_add(t));
    loop {
        me.check()?;
        if !blocked(g) {
            return Ok(true);
        }
        match deadline {
            None => cv.wait(g),
            Some(d) => {
                let now = me.s.clock.now();
                if now >= d {
                    return Ok(false);
                }
                let real = ((d - now) as f64 / me.s.clock.speed()) as u64;
                let _ = cv.wait_for(g, Duration::from_nanos(real.max(1)).min(RECHECK));
            }
        }
    }
}

/// Seconds (Python's unit) to virtual nanoseconds.
pub(crate) fn secs_to_ns(secs: f64) -> u64 {
    (secs.max(0.0) * 1e9) as u64
}
