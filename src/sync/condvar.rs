//! `Condvar`: parking_lot's condition variable with its API, working with this module's
//! [`MutexGuard`], shown as a `condition` when traced. A wait reads as Python's does:
//! `release` of the mutex, `wait_begin`, `wait_end` (`ok: false` on a timeout), then the
//! mutex's `acquire_begin`/`acquire_end` — all stamped while the mutex is held.

use super::emit;
use super::gate::{self, Next};
use super::mutex::{MutexGuard, acquire_end, release};
use super::site::Site;
use crate::event::{ObjectKind, Op};
use std::borrow::Cow;
use std::panic::Location;
use std::time::{Duration, Instant};

/// Whether a timed wait gave up, as parking_lot's type says it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WaitTimeoutResult(bool);

impl WaitTimeoutResult {
    /// True if the wait ended because its time ran out.
    pub fn timed_out(self) -> bool {
        self.0
    }
}

/// A condition variable, as `parking_lot::Condvar`, that a viewer can see.
pub struct Condvar {
    site: Site,
    inner: parking_lot::Condvar,
}

impl Condvar {
    #[track_caller]
    pub const fn new() -> Condvar {
        Condvar {
            site: Site::here(),
            inner: parking_lot::Condvar::new(),
        }
    }

    /// The same condvar, shown under `name` instead of where it was made.
    pub fn named(mut self, name: impl Into<Cow<'static, str>>) -> Condvar {
        self.site = self.site.named(name.into());
        self
    }

    /// Blocks until notified (or woken spuriously, as parking_lot's may be).
    #[track_caller]
    pub fn wait<T: ?Sized>(&self, guard: &mut MutexGuard<'_, T>) {
        self.waiting(guard, |cv, g| {
            cv.wait(g);
            true
        });
    }

    /// Blocks until notified or until `timeout` has passed.
    #[track_caller]
    pub fn wait_for<T: ?Sized>(
        &self,
        guard: &mut MutexGuard<'_, T>,
        timeout: Duration,
    ) -> WaitTimeoutResult {
        self.wait_until(guard, Instant::now() + timeout)
    }

    /// Blocks until notified or until `deadline`.
    #[track_caller]
    pub fn wait_until<T: ?Sized>(
        &self,
        guard: &mut MutexGuard<'_, T>,
        deadline: Instant,
    ) -> WaitTimeoutResult {
        let woken = self.waiting(guard, |cv, g| !cv.wait_until(g, deadline).timed_out());
        WaitTimeoutResult(!woken)
    }

    /// Blocks while `condition` holds for the data (checked first, and after each wake).
    #[track_caller]
    pub fn wait_while<T: ?Sized, F>(&self, guard: &mut MutexGuard<'_, T>, mut condition: F)
    where
        F: FnMut(&mut T) -> bool,
    {
        while condition(&mut *guard) {
            self.wait(guard);
        }
    }

    /// As [`Condvar::wait_while`], giving up after `timeout` (the result says if it did).
    #[track_caller]
    pub fn wait_while_for<T: ?Sized, F>(
        &self,
        guard: &mut MutexGuard<'_, T>,
        mut condition: F,
        timeout: Duration,
    ) -> WaitTimeoutResult
    where
        F: FnMut(&mut T) -> bool,
    {
        let deadline = Instant::now() + timeout;
        while condition(&mut *guard) {
            if self.wait_until(guard, deadline).timed_out() {
                return WaitTimeoutResult(condition(&mut *guard));
            }
        }
        WaitTimeoutResult(false)
    }

    /// Wakes one waiter; true if there was one.
    #[track_caller]
    pub fn notify_one(&self) -> bool {
        if emit::on() {
            let o = self.site.id(ObjectKind::Condition, None);
            gate::pass(Next::Notify, Some(o), None, Some(Location::caller()));
            emit::emit(Op::Notify { o, n: 1 });
        }
        self.inner.notify_one()
    }

    /// Wakes every waiter; returns how many there were.
    #[track_caller]
    pub fn notify_all(&self) -> usize {
        if emit::on() {
            let o = self.site.id(ObjectKind::Condition, None);
            gate::pass(Next::NotifyAll, Some(o), None, Some(Location::caller()));
            emit::emit(Op::NotifyAll { o });
        }
        self.inner.notify_all()
    }

    /// One wait with its events around it (when the guard's lock is traced); `wait` says
    /// whether it was woken rather than timed out.
    #[track_caller]
    fn waiting<T: ?Sized>(
        &self,
        guard: &mut MutexGuard<'_, T>,
        wait: impl FnOnce(&parking_lot::Condvar, &mut parking_lot::MutexGuard<'_, T>) -> bool,
    ) -> bool {
        let lock = guard.o;
        if lock == 0 || !emit::on() {
            return wait(&self.inner, &mut guard.inner);
        }
        let o = self.site.id(ObjectKind::Condition, None);
        gate::pass(Next::Wait, Some(o), None, Some(Location::caller()));
        emit::emit(release(lock));
        emit::emit(Op::WaitBegin { o });
        let ok = wait(&self.inner, &mut guard.inner);
        emit::emit(Op::WaitEnd { ok, o });
        emit::emit(Op::AcquireBegin { o: lock });
        emit::emit(acquire_end(lock, true));
        ok
    }
}

impl Default for Condvar {
    #[track_caller]
    fn default() -> Condvar {
        Condvar::new()
    }
}

impl std::fmt::Debug for Condvar {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Condvar").field("name", &self.site).finish()
    }
}
