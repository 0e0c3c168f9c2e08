//! `RwLock<T>`: parking_lot's reader-writer lock with its API. Traced, a `write()` shows as
//! a `lock`'s acquire and release; reads are not reported, because the event vocabulary has
//! no lock with several holders yet (a reader holding it while a writer waits shows as the
//! writer waiting on a lock with no holder).

use super::emit;
use super::mutex::{acquire_end, release};
use super::site::Site;
use crate::event::{ObjectId, ObjectKind, Op};
use std::borrow::Cow;
use std::ops::{Deref, DerefMut};
use std::time::Duration;

pub use parking_lot::RwLockReadGuard;

pub struct RwLock<T: ?Sized> {
    site: Site,
    inner: parking_lot::RwLock<T>,
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
    pub fn read(&self) -> RwLockReadGuard<'_, T> {
        self.inner.read()
    }

    pub fn try_read(&self) -> Option<RwLockReadGuard<'_, T>> {
        self.inner.try_read()
    }

    pub fn try_read_for(&self, timeout: Duration) -> Option<RwLockReadGuard<'_, T>> {
        self.inner.try_read_for(timeout)
    }

    #[inline]
    pub fn write(&self) -> RwLockWriteGuard<'_, T> {
        if emit::on() {
            return self.traced(|l| Some(l.write())).expect("no limit");
        }
        RwLockWriteGuard {
            inner: self.inner.write(),
            o: 0,
        }
    }

    pub fn try_write(&self) -> Option<RwLockWriteGuard<'_, T>> {
        if emit::on() {
            return self.traced(|l| l.try_write());
        }
        self.inner
            .try_write()
            .map(|inner| RwLockWriteGuard { inner, o: 0 })
    }

    pub fn try_write_for(&self, timeout: Duration) -> Option<RwLockWriteGuard<'_, T>> {
        if emit::on() {
            return self.traced(|l| l.try_write_for(timeout));
        }
        self.inner
            .try_write_for(timeout)
            .map(|inner| RwLockWriteGuard { inner, o: 0 })
    }

    #[cold]
    fn traced<'a>(
        &'a self,
        take: impl FnOnce(&'a parking_lot::RwLock<T>) -> Option<parking_lot::RwLockWriteGuard<'a, T>>,
    ) -> Option<RwLockWriteGuard<'a, T>> {
        let o = self.site.id(ObjectKind::Lock, None);
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

impl<T: ?Sized> Drop for RwLockWriteGuard<'_, T> {
    fn drop(&mut self) {
        if self.o != 0 {
            emit::emit(release(self.o));
        }
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

impl<T: Default> Default for RwLock<T> {
    #[track_caller]
    fn default() -> RwLock<T> {
        RwLock::new(T::default())
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
