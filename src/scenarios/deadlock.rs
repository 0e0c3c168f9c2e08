//! `deadlock`: a plain Lock taken twice by its owner, and two locks taken in opposite order.

use super::{Config, Info, Scenario, Variant};
use crate::probe::{Lock, Res, Thread, outcome, say, sleep};

pub const SCENARIO: Scenario = Scenario {
    info: Info {
        name: "deadlock",
        title: "Deadlock: waiting for each other forever",
        lesson: "two locks taken in opposite order, or one plain Lock taken twice, block forever",
        explain: "Opposite order: 'left' takes lock A then wants B; 'right' takes B then wants A. \
Each holds what the other needs, and neither will let go: both wait forever. threadlanes keeps \
the wait-for graph (who waits for a lock held by whom) and flags the cycle the moment it forms.\n\n\
Self: a thread takes a plain Lock and, before releasing it, asks for it again. A Lock does not \
know who holds it, so the thread waits for itself. (An RLock would let it in: see 'rlock'.)\n\n\
Ordered: the fix for the first case. Both threads take A before B; whoever gets A first \
finishes, then the other goes.\n\n\
Press r to restart or q to quit: the runner ends even deadlocked threads at once.",
        variants: &[
            Variant {
                name: "two-locks",
                label: "opposite order",
            },
            Variant {
                name: "self",
                label: "Lock taken twice",
            },
            Variant {
                name: "ordered",
                label: "same order (fixed)",
            },
        ],
        params: &[],
    },
    main,
};

fn main(cfg: &Config) -> Res<()> {
    if cfg.is("self") {
        return self_deadlock();
    }
    let (a, b) = (Lock::new("A"), Lock::new("B"));
    let ordered = cfg.is("ordered");
    let left = {
        let (a, b) = (a.clone(), b.clone());
        Thread::new("left").start(move || take_both(&a, &b))?
    };
    let right = Thread::new("right").start(move || {
        if ordered {
            take_both(&a, &b)
        } else {
            take_both(&b, &a)
        }
    })?;
    left.join()?;
    right.join()?;
    outcome("both threads finished: no deadlock", true);
    Ok(())
}

fn take_both(first: &Lock, second: &Lock) -> Res<()> {
    let _f = first.guard()?;
    sleep(0.5)?;
    let _s = second.guard()?;
    say("got both locks")?;
    sleep(0.5)
}

fn self_deadlock() -> Res<()> {
    let lock = Lock::new("L");
    let t = Thread::new("worker").start(move || {
        lock.acquire()?;
        say("took L once; taking it again...")?;
        lock.acquire()?;
        say("never printed")?;
        Ok(())
    })?;
    t.join()
}
