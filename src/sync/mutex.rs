//! `Mutex<T>`: parking_lot's mutex with its API (no poisoning, `try_lock_for`), shown as a
//! `lock` when traced: `acquire_begin`, `acquire_end` once taken, `release` before it is let
//! go. Untraced, a lock is parking_lot's lock plus one relaxed load, and the guard's drop one
//! test of a word it already holds.

use super::emit;
use super::gate::{self, Ask, Next};
use super::site::Site;
use crate::event::{ObjectId, ObjectKind, Op};
use std::borrow::Cow;
use std::ops::{Deref, DerefMut};
use std::panic::Location;
use std::time::{Duration, Instant};

/// A mutual exclusion lock, as `parking_lot::Mutex`, that a viewer can see.
pub struct Mutex<T: ?Sized> {
    site: Site,
    inner: parking_lot::Mutex<T>,
}

/// Holds a [`Mutex`] until dropped; derefs to its data.
#[must_use = "if unused the Mutex will immediately unlock"]
pub struct MutexGuard<'a, T: ?Sized> {
    pub(crate) inner: parking_lot::MutexGuard<'a, T>,
    /// The lock's id while traced (0: untraced, nothing to report).
    pub(crate) o: ObjectId,
}

impl<T> Mutex<T> {
    /// A new unlocked mutex, named for the line that made it.
    #[track_caller]
    pub const fn new(value: T) -> Mutex<T> {
        Mutex {
            site: Site::here(),
            inner: parking_lot::Mutex::new(value),
        }
    }

    /// A new unlocked mutex with a name for the viewer.
    #[track_caller]
    pub fn new_named(value: T, name: impl Into<Cow<'static, str>>) -> Mutex<T> {
        Mutex::new(value).named(name)
    }

    /// The same mutex, shown under `name` instead of where it was made.
    pub fn named(mut self, name: impl Into<Cow<'static, str>>) -> Mutex<T> {
        self.site = self.site.named(name.into());
        self
    }

    pub fn into_inner(self) -> T {
        self.inner.into_inner()
    }
}

impl<T: ?Sized> Mutex<T> {
    /// Takes the lock, waiting as long as it takes.
    #[inline]
    #[track_caller]
    pub fn lock(&self) -> MutexGuard<'_, T> {
        if emit::on() {
            return self
                .traced(Location::caller(), false, |m| Some(m.lock()))
                .expect("a lock without a limit");
        }
        MutexGuard {
            inner: self.inner.lock(),
            o: 0,
        }
    }

    /// Takes the lock if it is free now.
    #[inline]
    #[track_caller]
    pub fn try_lock(&self) -> Option<MutexGuard<'_, T>> {
        if emit::on() {
            return self.traced(Location::caller(), true, |m| m.try_lock());
        }
        self.inner
            .try_lock()
            .map(|inner| MutexGuard { inner, o: 0 })
    }

    /// Takes the lock, waiting at most `timeout`.
    #[track_caller]
    pub fn try_lock_for(&self, timeout: Duration) -> Option<MutexGuard<'_, T>> {
        if emit::on() {
            return self.traced(Location::caller(), true, |m| m.try_lock_for(timeout));
        }
        self.inner
            .try_lock_for(timeout)
            .map(|inner| MutexGuard { inner, o: 0 })
    }

    /// Takes the lock, waiting until `deadline` at most.
    #[track_caller]
    pub fn try_lock_until(&self, deadline: Instant) -> Option<MutexGuard<'_, T>> {
        if emit::on() {
            return self.traced(Location::caller(), true, |m| m.try_lock_until(deadline));
        }
        self.inner
            .try_lock_until(deadline)
            .map(|inner| MutexGuard { inner, o: 0 })
    }

    /// An acquire with its events around it (after its gate in step mode): `take` is how
    /// parking_lot takes it, `at` where the program asked, `timed` that it may give up.
    #[cold]
    fn traced<'a>(
        &'a self,
        at: &Location<'_>,
        timed: bool,
        take: impl FnOnce(&'a parking_lot::Mutex<T>) -> Option<parking_lot::MutexGuard<'a, T>>,
    ) -> Option<MutexGuard<'a, T>> {
        let o = self.site.id(ObjectKind::Lock, None);
        gate::ask(Next::Acquire, Ask::on(o).timed(timed), Some(at));
        emit::emit(Op::AcquireBegin { o });
        let got = take(&self.inner);
        emit::emit(acquire_end(o, got.is_some()));
        got.map(|inner| MutexGuard { inner, o })
    }

    pub fn is_locked(&self) -> bool {
        self.inner.is_locked()
    }

    /// The data, through `&mut self`: no lock needed, nothing to report.
    pub fn get_mut(&mut self) -> &mut T {
        self.inner.get_mut()
    }
}

pub(crate) fn acquire_end(o: ObjectId, ok: bool) -> Op {
    Op::AcquireEnd {
        ok,
        o,
        depth: None,
        value: None,
    }
}

pub(crate) fn release(o: ObjectId) -> Op {
    Op::Release {
        o,
        depth: None,
        value: None,
    }
}

impl<T: ?Sized> MutexGuard<'_, T> {
    /// Lets the lock go while `f` runs and takes it back after, as parking_lot's
    /// `MutexGuard::unlocked` (shown as a release and an acquire).
    #[track_caller]
    pub fn unlocked<F: FnOnce() -> U, U>(guard: &mut Self, f: F) -> U {
        let o = guard.o;
        if o == 0 {
            return parking_lot::MutexGuard::unlocked(&mut guard.inner, f);
        }
        let at = Location::caller();
        gate::pass(Next::Release, Some(o), None, Some(at));
        emit::emit(release(o));
        let r = parking_lot::MutexGuard::unlocked(&mut guard.inner, || {
            let r = f();
            gate::pass(Next::Acquire, Some(o), None, Some(at));
            emit::emit(Op::AcquireBegin { o });
            r
        });
        emit::emit(acquire_end(o, true));
        r
    }
}

impl<T: ?Sized> Drop for MutexGuard<'_, T> {
    /// The release is sent while the lock is still held: the next taker's acquire is later.
    /// (In step mode it waits at its gate holding the lock, as a Python `release` does; a
    /// drop has no caller's place to say.)
    #[inline]
    fn drop(&mut self) {
        if self.o != 0 {
            gate::pass(Next::Release, Some(self.o), None, None);
            emit::emit(release(self.o));
        }
    }
}

impl<T: ?Sized> Deref for MutexGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.inner
    }
}

impl<T: ?Sized> DerefMut for MutexGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.inner
    }
}

impl<T: ?Sized + std::fmt::Debug> std::fmt::Debug for MutexGuard<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&**self, f)
    }
}

impl<T: ?Sized + std::fmt::Display> std::fmt::Display for MutexGuard<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(&**self, f)
    }
}

impl<T: Default> Default for Mutex<T> {
    #[track_caller]
    fn default() -> Mutex<T> {
        Mutex::new(T::default())
    }
}

impl<T> From<T> for Mutex<T> {
    #[track_caller]
    fn from(value: T) -> Mutex<T> {
        Mutex::new(value)
    }
}

impl<T: ?Sized + std::fmt::Debug> std::fmt::Debug for Mutex<T> {
    /// As parking_lot's: the data if the lock is free now (without reporting the look).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut d = f.debug_struct("Mutex");
        match self.inner.try_lock() {
            Some(g) => d.field("data", &&*g),
            None => d.field("data", &format_args!("<locked>")),
        };
        d.field("name", &self.site).finish()
    }
}
