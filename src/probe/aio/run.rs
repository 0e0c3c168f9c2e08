//! `run`: an event loop on the calling thread (Python's `asyncio.run`) — tokio's
//! current-thread runtime with a `LocalSet`, the loop's park hook, and the first task.

use super::runtime::{Loop, on_park};
use super::task;
use crate::probe::session::{Res, current_worker};
use std::future::Future;

/// Runs `main` as the first task (named `name`) of an event loop on this thread, until it
/// ends (Python's `asyncio.run(main())`). Tasks still pending then are cancelled.
pub fn run<T: 'static>(name: &str, main: impl Future<Output = Res<T>> + 'static) -> Res<T> {
    let thread = current_worker();
    thread.check()?;
    let _lp = Loop::enter(thread);
    let rt = tokio::runtime::Builder::new_current_thread()
        .on_thread_park(on_park)
        .build()
        .expect("a current-thread runtime needs no resources that can run out");
    let local = tokio::task::LocalSet::new();
    let out = local.block_on(&rt, task::run_root(name.to_string(), main));
    // Dropping the set drops the tasks still pending: each ends as cancelled.
    drop(local);
    drop(rt);
    Loop::leave();
    out
}
