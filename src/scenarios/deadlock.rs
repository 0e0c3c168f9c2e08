//! `deadlock`: a plain Lock taken twice by its owner, and two locks taken in opposite order.

use super::kit::{ThreadArgs, join_all};
use super::{Config, Info, Scenario, variant};
use crate::probe::{Event, Lock, Res, Thread, outcome, say, sleep};

pub const SCENARIO: Scenario = Scenario {
    info: Info {
        name: "deadlock",
        title: "Deadlock: waiting for each other forever",
        lesson: "two locks taken in opposite order, or one plain Lock taken twice, block forever",
        explain: "When waits for locks form a circle, nobody in it can ever move again: \
threadlanes flags the circle the moment it forms (g shows the wait-for graph), and r or q \
end even deadlocked threads at once.",
        variants: &[
            variant("two-locks", "opposite order").explain(
                "'left' takes lock A then wants B; 'right' takes B then wants A. Each holds \
what the other needs, and neither will let go: both wait forever. (In a real program this \
needs unlucky timing; here each thread signals an event once it holds its first lock and \
waits for the other's, so the unlucky timing happens on every run.) Watch both lanes turn \
blocked and the cycle left → B → right → A → left appear.",
            ),
            variant("self", "Lock taken twice").explain(
                "One thread, 'worker', takes a plain Lock L and, before releasing it, asks for \
it again. A Lock does not know who holds it, so the thread waits for itself: watch its lane \
turn blocked, waiting for L, which it holds. No other thread is needed for a deadlock. (An \
RLock would let it in: see 'rlock'.)",
            ),
            variant("ordered", "same order (fixed)").explain(
                "The fix for the opposite-order deadlock: both threads take A before B. \
Whoever gets A first takes B too and finishes; the other waits for A (its lane blocked), \
then goes. No cycle can form.",
            ),
            variant("lucky", "lucky timing").explain(
                "The opposite orders again, without the unlucky timing: 'right' starts its \
work only after 'left' has let go of both locks, so this run finishes. It was luck: \
threadlanes keeps the order each thread takes its locks in (left holds A while it asks for \
B; right holds B while it asks for A), and the circle in those orders is a deadlock another \
timing would reach. The log's border and the wait-for graph (g) warn of it.",
            ),
            variant("partial", "two stuck, one goes").explain(
                "The opposite-order deadlock while a third thread, 'ticker', keeps working. A \
deadlock need not stop the whole program: the cycle is flagged the moment it forms, while \
ticker still prints its ticks.",
            ),
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
    if cfg.is("lucky") {
        let left = Thread::new("left")
            .args((&a, &b))
            .start(|(a, b)| take_both(&a, &b, None))?;
        // After left's second (0.5 s holding A, 0.5 s holding both): the windows never meet.
        let right = Thread::new("right").start(move || {
            sleep(1.5)?;
            take_both(&b, &a, None)
        })?;
        join_all(&[left, right])?;
        outcome(
            "both threads finished this time: the opposite orders were lucky",
            true,
        );
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
