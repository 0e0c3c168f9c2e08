//! The one way a probe primitive blocks. In free mode: on its own parking_lot condvar,
//! re-checking the worker's stop flags at every wake-up, so restart and quit end even a
//! deadlocked worker. In step and seeded mode: parked at the gate with a readiness test, so
//! the scheduler (the user or the seed) decides when it goes on.

use super::core::Core;
use super::schedule::{Mode, Next, Ready};
use super::session::{CurrentWorker, Res};
use parking_lot::MutexGuard;
use std::sync::Arc;
use std::time::Duration;

/// Longest real wait between checks of a virtual-time deadline (speed or pause may change).
const RECHECK: Duration = Duration::from_millis(50);

/// Waits while `blocked(state)` holds. `timeout_ns` is virtual time; on timeout returns
/// `Ok(false)`. Returns `Err(stop)` if the worker is told to stop first. `next` is what the
/// worker waits to do, shown in step mode.
pub(crate) fn wait_while<T, F>(
    me: &CurrentWorker,
    core: &Arc<Core<T>>,
    g: &mut MutexGuard<'_, T>,
    next: Next,
    timeout_ns: Option<u64>,
    blocked: F,
) -> Res<bool>
where
    T: Send + 'static,
    F: Fn(&T) -> bool + Clone + Send + Sync + 'static,
{
    let clock = &me.session.clock;
    let deadline = timeout_ns.map(|t| clock.now().saturating_add(t));
    loop {
        me.check()?;
        if !blocked(g) {
            return Ok(true);
        }
        if deadline.is_some_and(|d| clock.now() >= d) {
            return Ok(false);
        }
        if me.session.gate.controlled() {
            let ready: Ready = {
                let (core, blocked) = (core.clone(), blocked.clone());
                Arc::new(move || !blocked(&core.state.lock()))
            };
            let stopped = || me.stopped().is_some();
            let go = MutexGuard::unlocked(g, || {
                me.session
                    .gate
                    .park_until(me.w(), next, Some(ready), deadline, &stopped)
            });
            me.check()?;
            // Picked as the sleeper due first: its timeout has come.
            if let (true, Some(d)) = (go && blocked(g), deadline) {
                let pace = me.session.gate.mode() == Mode::Seeded;
                MutexGuard::unlocked(g, || clock.run_to(d, pace, &stopped));
            }
            continue;
        }
        match deadline {
            None => core.cv.wait(g),
            Some(d) => {
                let now = clock.now();
                let real = (d.saturating_sub(now) as f64 / clock.speed()) as u64;
                let _ = core
                    .cv
                    .wait_for(g, Duration::from_nanos(real.max(1)).min(RECHECK));
            }
        }
    }
}

/// Seconds (Python's unit) to virtual nanoseconds.
pub(crate) fn secs_to_ns(secs: f64) -> u64 {
    (secs.max(0.0) * 1e9) as u64
}
