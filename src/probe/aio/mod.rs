//! Coroutines on one thread, with Python's `asyncio` names: `run`, `create_task`, `sleep`,
//! `gather`, and the async `Lock`, `Queue` and `Event`. Under them is a real async runtime,
//! tokio's current-thread runtime with a `LocalSet`: every task is polled on the thread that
//! called `run`, and hands that thread to another task only where it awaits.
//!
//! Each task is a worker of kind `task` (its own lane, under its thread) and reports what
//! it does with the same events as a thread: an awaited sleep is `sleep_begin`/`sleep_end`,
//! an await on a lock, a queue, an event or another task the matching `_begin`/`_end`.
//! A blocking call made inside a task (the probe's plain `sleep`) is the thread's: the
//! thread sleeps, the task keeps it, and no other task can run.
//!
//! Time is the run's virtual clock, not tokio's: an awaited sleep is a deadline on that
//! clock, and when no task is ready the thread itself waits for the next deadline as a
//! plain sleep does (real time at the run's speed, frozen while paused; in step and seeded
//! mode a sleeper at the gate). So speed, pause, step and seeds act on tasks as on threads.
//! Each task's operations pass the gate as that task. In free mode the ready task woken
//! first runs first (tokio's order); in step and seeded mode the gate picks which of the
//! tasks that can go on runs at the next await — the user or the seed chooses, as for
//! threads (`Gatekeeper::park_any`).
//!
//! Must not: block the thread anywhere but at the gate and in the idle wait, or keep a task
//! alive after `run` returns (the tasks still pending then end as cancelled).

mod event;
mod lock;
mod queue;
mod run;
mod runtime;
mod sleep;
mod task;

pub use event::Event;
pub use lock::{Lock, LockGuard};
pub use queue::Queue;
pub use run::run;
pub use sleep::sleep;
pub use task::{Task, create_task, gather, say};
