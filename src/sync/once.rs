//! `Once`: std's one-time initialisation with its API. Traced, it shows as a `lock` while
//! the first caller runs the initialiser: that caller acquires and releases it; a caller that
//! came meanwhile waits on it and ends with `ok: false` (it did not run it). Once done, a
//! call reports nothing.

use super::emit;
use super::gate::{self, Next};
use super::mutex::{acquire_end, release};
use super::site::Site;
use crate::event::{ObjectKind, Op};
use std::borrow::Cow;

pub use std::sync::OnceState;

pub struct Once {
    site: Site,
    inner: std::sync::Once,
}

impl Once {
    #[track_caller]
    pub const fn new() -> Once {
        Once {
            site: Site::here(),
            inner: std::sync::Once::new(),
        }
    }

    /// The same `Once`, shown under `name` instead of where it was made.
    pub fn named(mut self, name: impl Into<Cow<'static, str>>) -> Once {
        self.site = self.site.named(name.into());
        self
    }

    /// Runs `f` if no call has run it yet; every caller returns once it has run.
    #[track_caller]
    pub fn call_once<F: FnOnce()>(&self, f: F) {
        if self.inner.is_completed() || !emit::on() {
            return self.inner.call_once(f);
        }
        let o = self.site.id(ObjectKind::Lock, None);
        gate::pass(
            Next::Acquire,
            Some(o),
            None,
            Some(std::panic::Location::caller()),
        );
        emit::emit(Op::AcquireBegin { o });
        let mut ran = false;
        self.inner.call_once(|| {
            ran = true;
            emit::emit(acquire_end(o, true));
            f();
            emit::emit(release(o));
        });
        if !ran {
            emit::emit(acquire_end(o, false));
        }
    }

    pub fn is_completed(&self) -> bool {
        self.inner.is_completed()
    }
}

impl Default for Once {
    #[track_caller]
    fn default() -> Once {
        Once::new()
    }
}

impl std::fmt::Debug for Once {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Once")
            .field("done", &self.is_completed())
            .field("name", &self.site)
            .finish()
    }
}
