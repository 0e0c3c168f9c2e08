//! `threadlanes::sync`: drop-in synchronisation types for a Rust program, seen live by
//! `threadlanes trace -- ./my-program` as a traced Python program is: threads as lanes;
//! mutexes, rwlocks, condvars, barriers and channels as objects with their holders,
//! waiters and items (an `RwLock`'s readers together, a zero-capacity channel as a
//! rendezvous). Switching a program over is a change of its `use` lines:
//!
//! ```text
//! use parking_lot::{Mutex, Condvar};   →  use threadlanes::sync::{Mutex, Condvar};
//! use crossbeam_channel::bounded;      →  use threadlanes::sync::channel::bounded;
//! use std::thread;                     →  use threadlanes::thread;
//! ```
//!
//! Each type has the API of what it replaces (parking_lot's locks: no poisoning,
//! `try_lock_for`; crossbeam-channel's channels; std's threads and barrier). An object is
//! named for the line that made it (`src/bank.rs:14`) unless named (`.named("balance")`).
//!
//! With no viewer (no `THREADLANES_SOCKET` in the environment) each type is its plain
//! counterpart behind one relaxed load. With one, the process connects once and sends its
//! events from a background thread (`emit.rs`); the program never waits for the viewer.
//! In step and seeded mode (`threadlanes trace --step`, `--seed N`) each traced operation
//! first waits at its gate (`gate.rs`, the shim's protocol), saying what it will do and where
//! (`#[track_caller]`); a seeded `thread::sleep` passes on the viewer's logical clock.
//! There is no `select!` (see [`channel`]).
//!
//! Must not: block a program thread on the viewer, run user code the program did not ask
//! for (item labels are `Type#n` unless [`channel::Sender::show_items`]), change results.

pub mod barrier;
pub mod channel;
pub mod condvar;
pub(crate) mod emit;
pub(crate) mod gate;
pub mod mutex;
pub mod once;
pub mod rwlock;
mod site;

pub use barrier::{Barrier, BarrierWaitResult};
pub use condvar::{Condvar, WaitTimeoutResult};
pub use mutex::{Mutex, MutexGuard};
pub use once::Once;
pub use rwlock::{RwLock, RwLockReadGuard, RwLockWriteGuard};
pub use std::sync::Arc;

/// Sends every event made so far to the viewer now, rather than within the next few
/// milliseconds (before an `abort`, say). Does nothing untraced.
pub fn flush() {
    emit::flush();
}

/// Events this process dropped so far because its rings were full (the viewer, or the
/// writer, could not keep up); said on stderr when the process ends.
pub fn dropped() -> u64 {
    emit::dropped()
}

/// For `benches/sync.rs` only: turns the events of a process that is connected to a
/// viewer off and on again, so one run measures both. Does nothing in a process that is not
/// connected.
#[doc(hidden)]
pub fn bench_tracing(on: bool) {
    emit::set_on(on);
}

/// The README's Rust blocks, compiled and run by `cargo test --doc` so they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;
