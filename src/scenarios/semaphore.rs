//! `semaphore`: a BoundedSemaphore with five slots and twenty workers.

use super::kit::{Gauge, ThreadArgs, join_all};
use super::{Config, Info, Scenario, param};
use crate::probe::{Res, Semaphore, Thread, outcome, say, sleep};

pub const SCENARIO: Scenario = Scenario {
    info: Info {
        name: "semaphore",
        title: "A semaphore lets N in at once",
        lesson: "BoundedSemaphore(5), 20 workers: five hold a slot, the rest queue",
        explain: "A lock lets one thread in; a semaphore lets N in. Twenty threads each take a \
slot of a BoundedSemaphore(5), work for a second, print, and give the slot back.\n\n\
Watch the semaphore panel: five slots, each filled with the name of its holder, and a queue \
of the others in the order they arrived. When a slot frees, the longest waiter gets it \
(threadlanes hands slots over in FIFO order; Python's own semaphore makes no such promise).\n\n\
'Bounded' means releasing more often than acquiring is an error: it catches the bug of a \
release without its acquire.",
        variants: &[],
        params: &[
            param("slots", "slots of the semaphore", 5, 1, 20),
            param("workers", "threads that want a slot", 20, 1, 200),
        ],
    },
    main,
};

fn main(cfg: &Config) -> Res<()> {
    let slots = cfg.get("slots");
    let sem = Semaphore::bounded("slots", slots as u64);
    // Bookkeeping outside the probe, to measure the outcome: how many were inside at once.
    let inside = Gauge::default();
    let mut workers = Vec::new();
    for i in 0..cfg.get("workers") {
        let worker = Thread::new(format!("w{i}"))
            .args((&sem, &inside))
            .start(move |(sem, inside)| work(i, &sem, &inside))?;
        workers.push(worker);
    }
    join_all(&workers)?;
    let peak = inside.peak();
    outcome(
        format!(
            "at most {peak} of {} ran at once (slots: {slots})",
            workers.len()
        ),
        peak <= slots,
    );
    Ok(())
}

/// One worker: take a slot, work a second, say how many were inside, give the slot back.
fn work(i: i64, sem: &Semaphore, inside: &Gauge) -> Res<()> {
    let _slot = sem.guard()?;
    let n = inside.enter();
    sleep(1.0)?;
    say(format!("w{i} ran with {n} inside"))?;
    inside.leave();
    Ok(())
}
