//! probe: the instrumented primitives. Each wraps real parking_lot locking and reports every
//! operation as an `Event`, numbered while the primitive's own lock is held so the stream's
//! order is a true order of the operations. Names follow Python's (`acquire`/`release`,
//! `set`/`clear`/`wait`, `put`/`get`/`task_done`/`join`); guards give `with`-like scopes.
//!
//! Every blocking wait parks on a condvar the runner can wake, and returns `Stop` when the
//! worker must end: a worker unwinds with `?`, releasing what it holds.
//!
//! The probe is the bottom layer: it names no runner, scenario or process. Whoever runs its
//! workers gives a `Session` its clock and gate (`schedule`), and things that must end with a
//! run join it as a `Companion`.

pub mod aio;
pub(crate) mod core;
pub mod event;
pub mod free;
pub mod lock;
pub mod pool;
pub mod queue;
pub mod schedule;
pub mod semaphore;
pub mod session;
mod sink;
pub mod time_base;
pub mod value;
pub(crate) mod wait;
pub mod worker;

pub use event::Event;
pub use free::Free;
pub use lock::{Guard, Lock, RLock};
pub use pool::{AsCompleted, Future, InOrder, TaskPanicked, ThreadPool, as_completed};
pub use queue::{Item, Order, Queue};
pub use schedule::{Gatekeeper, Mode, Next, Timekeeper};
pub use semaphore::{Semaphore, SlotGuard};
pub use session::{Companion, Res, Session, Stop, attach, on_worker_thread};
pub use sink::{BATCH, Events};
pub use value::Value;
pub use worker::{Handle, Thread, current_name, mode, now, outcome, say, sleep, speed, yield_now};
