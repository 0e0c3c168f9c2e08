//! `threadlanes::thread`: std's `spawn` and `Builder`, whose threads a viewer sees as lanes
//! named as the program names them (declared by their parent before they start, so nothing
//! they do comes before their lane), with `join` shown as a wait for the thread, and
//! `sleep` as a sleep. Everything else is std's own, re-exported so a program switches by
//! its `use` lines. Threads started otherwise (std, rayon, scoped) are shown too, from their
//! first traced operation, under their std name.
//!
//! Untraced, a spawn is std's spawn; nothing here may change what a program does.

use crate::event::{Op, WorkerId};
use crate::sync::emit;
use crate::sync::gate::{self, Next};
use std::io;
use std::panic::Location;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::time::Duration;

pub use std::thread::{
    AccessError, LocalKey, Result, Scope, ScopedJoinHandle, Thread, ThreadId,
    available_parallelism, current, panicking, park, park_timeout, scope, yield_now,
};

/// Starts a thread running `f`, as `std::thread::spawn` (panics if the OS will not).
pub fn spawn<F, T>(f: F) -> JoinHandle<T>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    Builder::new().spawn(f).expect("failed to spawn thread")
}

/// Sleeps, shown on the thread's lane; `threadlanes trace --speed` scales it as it does a
/// traced Python program's sleeps. In a seeded run (`trace --seed N`) its time passes on
/// the viewer's logical clock instead: the thread does not sleep.
#[track_caller]
pub fn sleep(dur: Duration) {
    if !emit::on() {
        return std::thread::sleep(dur);
    }
    let ms = dur.as_millis() as u64;
    let ask = gate::Ask {
        ms: Some(ms),
        ..gate::Ask::default()
    };
    let skip = gate::ask(Next::Sleep, ask, Some(Location::caller()));
    emit::emit(Op::SleepBegin { ms });
    if !skip {
        std::thread::sleep(dur.div_f64(emit::speed()));
    }
    emit::emit(Op::SleepEnd);
}

/// Thread options, as `std::thread::Builder`.
#[derive(Debug, Default)]
pub struct Builder {
    name: Option<String>,
    stack_size: Option<usize>,
}

impl Builder {
    pub fn new() -> Builder {
        Builder::default()
    }

    /// The thread's name: std's, and its lane's.
    pub fn name(mut self, name: String) -> Builder {
        self.name = Some(name);
        self
    }

    pub fn stack_size(mut self, size: usize) -> Builder {
        self.stack_size = Some(size);
        self
    }

    pub fn spawn<F, T>(self, f: F) -> io::Result<JoinHandle<T>>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let mut b = std::thread::Builder::new();
        if let Some(n) = &self.name {
            b = b.name(n.clone());
        }
        if let Some(s) = self.stack_size {
            b = b.stack_size(s);
        }
        if !emit::on() {
            return b.spawn(f).map(|inner| JoinHandle { inner, w: None });
        }
        let w = emit::declare_thread(self.name.as_deref());
        let inner = b.spawn(move || run_as(w, f)).inspect_err(|e| {
            emit::not_started(w, format!("the OS would not start it: {e}"));
        })?;
        Ok(JoinHandle { inner, w: Some(w) })
    }
}

/// The thread's body as worker `w`: its start, then how it ended (a panic goes on
/// unwinding, so `join` gives it back as std's does).
fn run_as<F: FnOnce() -> T, T>(w: WorkerId, f: F) -> T {
    emit::begin_thread(w);
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(v) => {
            emit::end_thread(None);
            v
        }
        Err(payload) => {
            emit::end_thread(Some(crate::probe::worker::panic_message(&*payload)));
            resume_unwind(payload)
        }
    }
}

/// Owns a thread started by [`spawn`]: `join` waits for it, shown as a wait on its lane.
#[derive(Debug)]
pub struct JoinHandle<T> {
    inner: std::thread::JoinHandle<T>,
    /// The thread's worker, when it was started traced.
    w: Option<WorkerId>,
}

impl<T> JoinHandle<T> {
    /// Waits for the thread; `Err` holds its panic.
    #[track_caller]
    pub fn join(self) -> Result<T> {
        let Some(target) = self.w.filter(|_| emit::on()) else {
            return self.inner.join();
        };
        gate::pass(Next::Join, None, Some(target), Some(Location::caller()));
        emit::emit(Op::JoinBegin { target });
        let r = self.inner.join();
        emit::emit(Op::JoinEnd { ok: true, target });
        r
    }

    pub fn thread(&self) -> &Thread {
        self.inner.thread()
    }

    pub fn is_finished(&self) -> bool {
        self.inner.is_finished()
    }
}
