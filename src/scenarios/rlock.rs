//! `rlock`: a reentrant lock taken again by its owner; with a plain Lock the same code
//! deadlocks on itself.

use super::kit::{ThreadArgs, join_all};
use super::{Config, Info, Scenario, param, variant};
use crate::probe::{Lock, RLock, Res, Thread, Value, outcome, say, sleep};

pub const SCENARIO: Scenario = Scenario {
    info: Info {
        name: "rlock",
        title: "An RLock can be taken again by its owner",
        lesson: "a reentrant lock taken again by the thread that holds it; depth shown",
        explain: "Each thread runs `outer`, which takes the lock and then calls `first` and \
`second`, which take the same lock again to update their counters. A lock inside a lock.\n\n\
Each thread rests a quarter of a second after every acquire and between the calls (the \
tutorial does not): without the rests the whole run is over in a few milliseconds, before \
the first frame is drawn.",
        variants: &[
            variant("rlock", "RLock").explain(
                "Watch the objects panel: the RLock remembers its owner and counts how deep it \
is held: 1 in outer, 2 inside first, 1 again, 2 inside second, 1, then 0 and free. The \
owner's lane never blocks on its own lock; the other threads queue, and only when the owner \
has released it as often as it took it can the next one have it.",
            ),
            variant("lock", "plain Lock (deadlocks)").explain(
                "The same code with a plain Lock: the first thread takes it in outer, and its \
acquire in first blocks forever: it waits for a lock it holds itself. A Lock does not know \
its owner, so it cannot let it in again. threadlanes flags the self-deadlock; the other \
threads queue behind it for ever.",
            ),
        ],
        params: &[param("threads", "threads running outer()", 5, 1, 50)],
    },
    main,
};

/// The two kinds behind one face, so the scenario's code is the same for both.
#[derive(Clone)]
enum AnyLock {
    R(RLock),
    Plain(Lock),
}

impl AnyLock {
    fn acquire(&self) -> Res<()> {
        match self {
            AnyLock::R(l) => l.acquire(),
            AnyLock::Plain(l) => l.acquire(),
        }
    }
    fn release(&self) -> Res<()> {
        match self {
            AnyLock::R(l) => l.release(),
            AnyLock::Plain(l) => l.release(),
        }
    }
}

fn main(cfg: &Config) -> Res<()> {
    let lock = if cfg.is("lock") {
        AnyLock::Plain(Lock::new("lock"))
    } else {
        AnyLock::R(RLock::new("lock"))
    };
    let (num, num2) = (Value::new("num", 0), Value::new("num2", 0));
    let n = cfg.get("threads");
    let mut threads = Vec::new();
    for i in 0..n {
        let t = Thread::new(format!("t{i}"))
            .args((&lock, &num, &num2))
            .start(|(lock, num, num2)| outer(&lock, &num, &num2))?;
        threads.push(t);
    }
    join_all(&threads)?;
    let (a, b) = (num.get(), num2.get());
    outcome(format!("num = {a}, num2 = {b}"), a == n && b == n);
    Ok(())
}

/// How long a thread rests after each acquire and between the calls, so the depth can be
/// seen rising and falling.
const REST: f64 = 0.25;

fn outer(lock: &AnyLock, num: &Value, num2: &Value) -> Res<()> {
    lock.acquire()?;
    sleep(REST)?;
    let a = bump(lock, num)?;
    say("between first and second")?;
    sleep(REST)?;
    let b = bump(lock, num2)?;
    sleep(REST)?;
    lock.release()?;
    say(format!("{a} {b}"))
}

fn bump(lock: &AnyLock, v: &Value) -> Res<i64> {
    lock.acquire()?;
    sleep(REST)?;
    let n = v.read()? + 1;
    v.write(n)?;
    lock.release()?;
    Ok(n)
}
