//! `deadlock`: a plain Lock taken twice by its owner, and two locks taken in opposite order.

use super::kit::{ThreadArgs, join_all};
use super::{Config, Info, Scenario, variant};
use crate::probe::{Event, Lock, Res, Thread, outcome, say, sleep};

pub const SCENARIO: Scenario = Scenario {
    info: Info {
        name: "deadlock",
        title: "Deadlock: waiting for each other forever",
        lesson: "two locks taken in opposite order, or one plain Lock taken twice, block forever",
        explain: "Opposite order: 'left' takes lock A then wants B; 'right' takes B then wants A. \
Each holds what the other needs, and neither will let go: both wait forever. (In a real \
program this needs unlucky timing; here each thread signals an event once it holds its first \
lock and waits for the other's, so the unlucky timing happens on every run.) threadlanes keeps \
the wait-for graph (who waits for a lock held by whom) and flags the cycle the moment it forms.\n\n\
Self: a thread takes a plain Lock and, before releasing it, asks for it again. A Lock does not \
know who holds it, so the thread waits for itself. (An RLock would let it in: see 'rlock'.)\n\n\
Ordered: the fix for the first case. Both threads take A before B; whoever gets A first \
finishes, then the other goes.\n\n\
Two stuck, one goes on: the opposite-order deadlock while a third thread, 'ticker', keeps \
working. A deadlock need not stop the whole program: the cycle is flagged the moment it forms, \
while ticker still runs (press g for the wait-for graph).\n\n\
Press r to restart or q to quit: the runner ends even deadlocked threads at once.",
        variants: &[
            variant("two-locks", "opposite order"),
            variant("self", "Lock taken twice"),
            variant("ordered", "same order (fixed)"),
            variant("partial", "two stuck, one goes on"),
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
    if cfg.is("ordered") {
        let left = Thread::new("left")
            .args((&a, &b))
            .start(|(a, b)| take_both(&a, &b, None))?;
        let right = Thread::new("right").start(move || take_both(&a, &b, None))?;
        join_all(&[left, right])?;
        outcome("both threads finished: no deadlock", true);
        return Ok(());
    }
    // The unlucky timing, made to happen every run: each thread holds its first lock before
    // either asks for its second.
    let (left_ready, right_ready) = (Event::new("left-has-A"), Event::new("right-has-B"));
    let left = Thread::new("left")
        .args((&a, &b, &left_ready, &right_ready))
        .start(|(a, b, mine, theirs)| take_both(&a, &b, Some(&(mine, theirs))))?;
    let hs = (right_ready, left_ready);
    let right = Thread::new("right").start(move || take_both(&b, &a, Some(&hs)))?;
    let mut threads = vec![left, right];
    if cfg.is("partial") {
        threads.push(Thread::new("ticker").start(tick)?);
    }
    join_all(&threads)?;
    outcome("both threads finished: no deadlock", true);
    Ok(())
}

/// Takes `first`, then `second`. With a handshake (mine, theirs): says it holds `first` and
/// waits until the other thread holds its own.
fn take_both(first: &Lock, second: &Lock, handshake: Option<&(Event, Event)>) -> Res<()> {
    let _f = first.guard()?;
    sleep(0.5)?;
    if let Some((mine, theirs)) = handshake {
        mine.set()?;
        theirs.wait()?;
    }
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

/// The worker a deadlock elsewhere does not touch: it goes on ticking.
fn tick() -> Res<()> {
    for i in 1..=20 {
        sleep(0.5)?;
        say(format!("tick {i}: still going"))?;
    }
    Ok(())
}
