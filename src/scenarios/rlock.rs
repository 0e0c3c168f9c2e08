//! `rlock`: a reentrant lock taken again by its owner; with a plain Lock the same code
//! deadlocks on itself.

use super::kit::{ThreadArgs, join_all};
use super::{Config, Info, Scenario, param, variant};
use crate::probe::{Lock, RLock, Res, Thread, Value, outcome, say};

pub const SCENARIO: Scenario = Scenario {
    info: Info {
        name: "rlock",
        title: "An RLock can be taken again by its owner",
        lesson: "a reentrant lock taken again by the thread that holds it; depth shown",
        explain: "Each thread runs `outer`, which takes the lock and then calls `first` and \
`second`, which take the same lock again to update their counters. A lock inside a lock.\n\n\
With an RLock that is fine: the lock remembers its owner and counts how deep it is held \
(watch the depth go 1, 2, 1, 2, 1, 0 in the objects panel). Only when it is released as often \
as it was taken can another thread have it.\n\n\
With a plain Lock, the same code blocks forever on the first inner acquire: the thread waits \
for a lock it holds itself. threadlanes shows the self-deadlock.",
        variants: &[
            variant("rlock", "RLock"),
            variant("lock", "plain Lock (deadlocks)"),
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

fn outer(lock: &AnyLock, num: &Value, num2: &Value) -> Res<()> {
    lock.acquire()?;
    let a = bump(lock, num)?;
    say("between first and second")?;
    let b = bump(lock, num2)?;
    lock.release()?;
    say(format!("{a} {b}"))
}

fn bump(lock: &AnyLock, v: &Value) -> Res<i64> {
    lock.acquire()?;
    let n = v.read()? + 1;
    v.write(n)?;
    lock.release()?;
    Ok(n)
}
