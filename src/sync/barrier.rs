//! `Barrier`: std's barrier with its API, shown as a `barrier` of `n` parties when traced
//! (`wait_begin`, `wait_end` once all have come).

use super::emit;
use super::gate::{self, Next};
use super::site::Site;
use crate::event::{ObjectKind, Op};
use std::borrow::Cow;

pub use std::sync::BarrierWaitResult;

pub struct Barrier {
    site: Site,
    n: usize,
    inner: std::sync::Barrier,
}

impl Barrier {
    /// A barrier that lets `n` threads through together.
    #[track_caller]
    pub const fn new(n: usize) -> Barrier {
        Barrier {
            site: Site::here(),
            n,
            inner: std::sync::Barrier::new(n),
        }
    }

    /// The same barrier, shown under `name` instead of where it was made.
    pub fn named(mut self, name: impl Into<Cow<'static, str>>) -> Barrier {
        self.site = self.site.named(name.into());
        self
    }

    /// Blocks until `n` threads have called it; one of them is told it leads.
    #[track_caller]
    pub fn wait(&self) -> BarrierWaitResult {
        if !emit::on() {
            return self.inner.wait();
        }
        let o = self.site.id(ObjectKind::Barrier, Some(self.n as u64));
        gate::pass(
            Next::Wait,
            Some(o),
            None,
            Some(std::panic::Location::caller()),
        );
        emit::emit(Op::WaitBegin { o });
        let r = self.inner.wait();
        emit::emit(Op::WaitEnd { ok: true, o });
        r
    }
}

impl std::fmt::Debug for Barrier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Barrier")
            .field("n", &self.n)
            .field("name", &self.site)
            .finish()
    }
}
