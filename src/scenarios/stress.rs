//! `stress`: many workers hammering locks, semaphores and queues at top speed until the run
//! is stopped (`mixed`), or a thousand workers queued on one lock that is never released
//! (`one-lock`). It teaches little; it is how we check that the machinery holds up: memory
//! stays flat on a long run, and quit and restart stay prompt with every worker blocked.

use super::kit::{ThreadArgs, join_all};
use super::{Config, Info, Scenario, param, variant};
use crate::probe::{Event, Lock, Queue, Res, Semaphore, Thread, say, sleep};

pub const SCENARIO: Scenario = Scenario {
    info: Info {
        name: "stress",
        title: "Stress: many workers, top speed, no end",
        lesson: "a load test of threadlanes itself: it runs until you stop it",
        explain: "This scenario has no lesson of its own: it is how threadlanes checks that it \
stays responsive and that its memory stays flat however long a run lasts. It never ends by \
itself: press q, r, or give --for.",
        variants: &[
            variant("mixed", "locks, slots, queues").explain(
                "Every worker loops over the objects (locks, semaphores of two slots, queues \
of four places), taking a lock or a slot and giving it back at once, or putting an item and \
getting one. Nobody holds two things at a time, so nothing can deadlock; a tiny sleep now \
and then lets virtual time move.",
            ),
            variant("one-lock", "all on one lock")
                .explain(
                    "'holder' takes one lock and then waits for an event nobody sets, so it \
never lets go; every worker queues for that lock. Restart and quit must still end them all \
at once.",
                )
                .uses(&["workers"]),
        ],
        params: &[
            param("workers", "worker threads", 50, 1, 1000),
            param(
                "objects",
                "locks, semaphores and queues (mixed)",
                10,
                1,
                200,
            ),
        ],
    },
    main,
};

/// Rounds between two tiny sleeps: often enough that virtual time moves, rare enough that
/// the workers spend nearly all their time on the objects.
const ROUNDS_PER_SLEEP: u64 = 64;

#[derive(Clone)]
enum Obj {
    Lock(Lock),
    Sem(Semaphore),
    Queue(Queue<u64>),
}

fn main(cfg: &Config) -> Res<()> {
    let workers = cfg.get("workers");
    if cfg.is("one-lock") {
        return one_lock(workers);
    }
    let objects: Vec<Obj> = (0..cfg.get("objects"))
        .map(|i| match i % 3 {
            0 => Obj::Lock(Lock::new(&format!("lock-{i}"))),
            1 => Obj::Sem(Semaphore::bounded(&format!("sem-{i}"), 2)),
            _ => Obj::Queue(Queue::new(&format!("queue-{i}"), 4)),
        })
        .collect();
    let mut handles = Vec::new();
    for w in 0..workers as u64 {
        let h = Thread::new(format!("w{w}"))
            .args(&objects)
            .start(move |objects| hammer(w, &objects))?;
        handles.push(h);
    }
    join_all(&handles)
}

/// Loops until stopped: each round one operation on one object, a different object each
/// round (and a different starting point for each worker, so they collide everywhere).
fn hammer(w: u64, objects: &[Obj]) -> Res<()> {
    let n = objects.len() as u64;
    for round in 0u64.. {
        match &objects[((w * 7 + round) % n) as usize] {
            Obj::Lock(l) => drop(l.guard()?),
            Obj::Sem(s) => drop(s.guard()?),
            // Put then get: a worker waiting to get has put an item that is still counted,
            // so a get never waits forever, and neither does a put.
            Obj::Queue(q) => {
                q.put(round)?;
                q.get()?;
            }
        }
        if round % ROUNDS_PER_SLEEP == ROUNDS_PER_SLEEP - 1 {
            sleep(0.001)?;
        }
    }
    Ok(())
}

fn one_lock(workers: i64) -> Res<()> {
    let lock = Lock::new("the-lock");
    let never = Event::new("never-set");
    let holder = Thread::new("holder")
        .args((&lock, &never))
        .start(|(lock, never)| {
            let _held = lock.guard()?;
            say("holding the lock; waiting for an event nobody sets")?;
            never.wait()
        })?;
    // The holder has the lock before anyone queues for it.
    while !lock.locked() {
        sleep(0.01)?;
    }
    let mut handles = vec![holder];
    for w in 0..workers {
        handles.push(Thread::new(format!("w{w}")).args(&lock).start(|lock| {
            drop(lock.guard()?);
            Ok(())
        })?);
    }
    join_all(&handles)
}
