//! `RwLock<T>`: parking_lot's reader-writer lock with its API, shown as an `rwlock` when
//! traced. A `write()` is an exclusive acquire (`acquire_begin`, `acquire_end`, `release`,
//! as a mutex's); a `read()` is a shared one (the same ops with `"read":true`), so the
//! viewer shows the readers holding it together, a writer waiting for them, and readers
//! waiting behind a writer. Untraced, each is parking_lot's call behind one relaxed load.

use super::emit;
use super::gate::{self, Access, Ask, Next};
use super::mutex::{acquire_end, release};
use super::site::Site;
use crate::event::{ObjectId, ObjectKind, Op};
use std::borrow::Cow;
use std::ops::{Deref, DerefMut};
use std::panic::Location;
use std::time::Duration;

/// A reader-writer lock, as `parking_lot::RwLock`, that a viewer can see.
pub struct RwLock<T: ?Sized> {
    site: Site,
    inner: parking_lot::RwLock<T>,
}

/// Holds an [`RwLock`] for reading (shared with other readers) until dropped.
#[must_use = "if unused the RwLock will immediately unlock"]
pub struct RwLockReadGuard<'a, T: ?Sized> {
    inner: parking_lot::RwLockReadGuard<'a, T>,
    /// The lock's id while traced (0: untraced, nothing to report).
    o: ObjectId,
}

/// Holds an [`RwLock`] for writing until dropped.
#[must_use = "if unused the RwLock will immediately unlock"]
pub struct RwLockWriteGuard<'a, T: ?Sized> {
    inner: parking_lot::RwLockWriteGuard<'a, T>,
    o: ObjectId,
}

impl<T> RwLock<T> {
    #[track_caller]
    pub const fn new(value: T) -> RwLock<T> {
        RwLock {
            site: Site::here(),
            inner: parking_lot::RwLock::new(value),
        }
    }

    /// The same lock, shown under `name` instead of where it was made.
    pub fn named(mut self, name: impl Into<Cow<'static, str>>) -> RwLock<T> {
        self.site = self.site.named(name.into());
        self
    }

    pub fn into_inner(self) -> T {
        self.inner.into_inner()
    }
}

impl<T: ?Sized> RwLock<T> {
    /// Takes the lock shared with other readers, waiting while a writer has it (or, as
    /// parking_lot's is fair, while a writer waits for it).
    #[inline]
    #[track_caller]
    pub fn read(&self) -> RwLockReadGuard<'_, T> {
        if emit::on() {
            return self
                .traced_read(Location::caller(), false, |l| Some(l.read()))
                .expect("a read without a limit");
        }
        RwLockReadGuard {
            inner: self.inner.read(),
            o: 0,
        }
    }

    #[track_caller]
    pub fn try_read(&self) -> Option<RwLockReadGuard<'_, T>> {
        if emit::on() {
            return self.traced_read(Location::caller(), true, |l| l.try_read());
        }
        self.inner
            .try_read()
            .map(|inner| RwLockReadGuard { inner, o: 0 })
    }

    #[track_caller]
    pub fn try_read_for(&self, timeout: Duration) -> Option<RwLockReadGuard<'_, T>> {
        if emit::on() {
            return self.traced_read(Location::caller(), true, |l| l.try_read_for(timeout));
        }
        self.inner
            .try_read_for(timeout)
            .map(|inner| RwLockReadGuard { inner, o: 0 })
    }

    /// Takes the lock alone, waiting for every reader and writer to let it go.
    #[inline]
    #[track_caller]
    pub fn write(&self) -> RwLockWriteGuard<'_, T> {
        if emit::on() {
            return self
                .traced_write(Location::caller(), false, |l| Some(l.write()))
                .expect("a write without a limit");
        }
        RwLockWriteGuard {
            inner: self.inner.write(),
            o: 0,
        }
    }

    #[track_caller]
    pub fn try_write(&self) -> Option<RwLockWriteGuard<'_, T>> {
        if emit::on() {
            return self.traced_write(Location::caller(), true, |l| l.try_write());
        }
        self.inner
            .try_write()
            .map(|inner| RwLockWriteGuard { inner, o: 0 })
    }

    #[track_caller]
    pub fn try_write_for(&self, timeout: Duration) -> Option<RwLockWriteGuard<'_, T>> {
        if emit::on() {
            return self.traced_write(Location::caller(), true, |l| l.try_write_for(timeout));
        }
        self.inner
            .try_write_for(timeout)
            .map(|inner| RwLockWriteGuard { inner, o: 0 })
    }

    #[cold]
    fn traced_read<'a>(
        &'a self,
        at: &Location<'_>,
        timed: bool,
        take: impl FnOnce(&'a parking_lot::RwLock<T>) -> Option<parking_lot::RwLockReadGuard<'a, T>>,
    ) -> Option<RwLockReadGuard<'a, T>> {
        let o = self.site.id(ObjectKind::RwLock, None);
        let ask = Ask::on(o).timed(timed).access(Access::Read);
        gate::ask(Next::Acquire, ask, Some(at));
        emit::emit(Op::AcquireSharedBegin { o });
        let got = take(&self.inner);
        emit::emit(Op::AcquireSharedEnd {
            ok: got.is_some(),
            o,
        });
        got.map(|inner| RwLockReadGuard { inner, o })
    }

    #[cold]
    fn traced_write<'a>(
        &'a self,
        at: &Location<'_>,
        timed: bool,
        take: impl FnOnce(&'a parking_lot::RwLock<T>) -> Option<parking_lot::RwLockWriteGuard<'a, T>>,
    ) -> Option<RwLockWriteGuard<'a, T>> {
        let o = self.site.id(ObjectKind::RwLock, None);
        let ask = Ask::on(o).timed(timed).access(Access::Write);
        gate::ask(Next::Acquire, ask, Some(at));
        emit::emit(Op::AcquireBegin { o });
        let got = take(&self.inner);
        emit::emit(acquire_end(o, got.is_some()));
        got.map(|inner| RwLockWriteGuard { inner, o })
    }

    pub fn get_mut(&mut self) -> &mut T {
        self.inner.get_mut()
    }

    pub fn is_locked(&self) -> bool {
        self.inner.is_locked()
    }
}

impl<T: ?Sized> Drop for RwLockReadGuard<'_, T> {
    /// Sent while still held, as a mutex guard's release is.
    fn drop(&mut self) {
        if self.o != 0 {
            gate::pass(Next::Release, Some(self.o), None, None);
            emit::emit(Op::ReleaseShared { o: self.o });
        }
    }
}

impl<T: ?Sized> Drop for RwLockWriteGuard<'_, T> {
    fn drop(&mut self) {
        if self.o != 0 {
            gate::pass(Next::Release, Some(self.o), None, None);
            emit::emit(release(self.o));
        }
    }
}

impl<T: ?Sized> Deref for RwLockReadGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.inner
    }
}

impl<T: ?Sized> Deref for RwLockWriteGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.inner
    }
}

impl<T: ?Sized> DerefMut for RwLockWriteGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.inner
    }
}

impl<T: ?Sized + std::fmt::Debug> std::fmt::Debug for RwLockReadGuard<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&**self, f)
    }
}

impl<T: ?Sized + std::fmt::Debug> std::fmt::Debug for RwLockWriteGuard<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&**self, f)
    }
}

impl<T: Default> Default for RwLock<T> {
    #[track_caller]
    fn default() -> RwLock<T> {
        RwLock::new(T::default())
    }
}

impl<T> From<T> for RwLock<T> {
    #[track_caller]
    fn from(value: T) -> RwLock<T> {
        RwLock::new(value)
    }
}

impl<T: ?Sized + std::fmt::Debug> std::fmt::Debug for RwLock<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut d = f.debug_struct("RwLock");
        match self.inner.try_read() {
            Some(g) => d.field("data", &&*g),
            None => d.field("data", &format_args!("<locked>")),
        };
        d.field("name", &self.site).finish()
    }
}
