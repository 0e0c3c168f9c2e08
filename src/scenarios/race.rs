//! `race`: two threads do `balance += n; balance -= n` many times (t1 with n = 8, t2 with
//! n = 10, as the tutorial's `change_it(n)`); without a lock updates are lost and the balance
//! ends wrong, with one it ends at 0.

use super::kit::{Counter, ThreadArgs, join_all};
use super::{Config, Info, Scenario, param, variant};
use crate::probe::{Lock, Res, Thread, Value, outcome, sleep};

pub const SCENARIO: Scenario = Scenario {
    info: Info {
        name: "race",
        title: "A race loses updates",
        lesson: "balance += n; balance -= n from two threads loses updates; a lock fixes it",
        explain: "Two threads share a balance that starts at 0. Each adds its amount and \
subtracts it again, over and over (t1 8, t2 10): done one at a time, the balance would \
always come back to 0.\n\n\
But `balance += n` is three steps: read the balance, add, write it back. To make the window \
between the read and the write wide enough to see on every run, each thread rests a moment \
there (as a thread switch would make it do; t1 50 ms, t2 35 ms), and between rounds each \
does 30 ms of other work. Nothing else is staged: these are two real OS threads writing one \
shared integer.",
        variants: &[
            variant("no-lock", "without lock").explain(
                "If the other thread writes between our read and our write, our write throws \
its update away. Watch the log: both threads read the same value, both write, one change is \
gone, and the balance drifts away from 0 by the amounts lost. The outcome says where it \
ended and counts the lost updates.\n\n\
In a free run the OS wakes the threads from their rests, and where two rests \
end at nearly the same moment its timing decides who writes first: the result changes \
from run to run, as in a real program. A seeded run (R) lets the seed pick who goes \
whenever both are ready: the same seed, the same result.",
            ),
            variant("with-lock", "with lock").explain(
                "With the lock, read-and-write is one indivisible step: the other thread waits \
(its lane turns to 'blocked') until the holder has written. No update is lost and the \
balance ends at 0.",
            ),
        ],
        params: &[param("rounds", "+n/-n rounds per thread", 30, 1, 10_000)],
    },
    main,
};

/// The pause between a read and its write: a thread switch in the middle of `+=`. The two
/// threads are switched out for different times, as real threads are; with equal pauses they
/// would march in step and their lost updates would cancel out.
const WINDOW_SECS: [f64; 2] = [0.05, 0.035];

/// What each thread adds and takes away again (the tutorial's `change_it(n)` with 8 and
/// 10): with different amounts a lost `+8` and a lost `-10` do not cancel, so the balance
/// itself shows the loss.
const AMOUNTS: [i64; 2] = [8, 10];

/// The rest of a thread's work between two rounds, outside the window. Without it each
/// thread's `-n` would follow its `+n` at once and the two would mostly restore what the
/// other had lost, leaving a balance of 0 that hides the lost updates.
const OTHER_WORK_SECS: f64 = 0.03;

fn main(cfg: &Config) -> Res<()> {
    let balance = Value::new("balance", 0);
    let lock = Lock::new("lock");
    let rounds = cfg.get("rounds");
    let use_lock = cfg.is("with-lock");
    let lost = Counter::default();
    let mut threads = Vec::new();
    for ((name, window), n) in ["t1", "t2"].into_iter().zip(WINDOW_SECS).zip(AMOUNTS) {
        let t = Thread::new(name).args((&balance, &lock, &lost)).start(
            move |(balance, lock, lost)| {
                let lock = use_lock.then_some(&lock);
                job(&balance, lock, rounds, n, window, &lost)
            },
        )?;
        threads.push(t);
    }
    join_all(&threads)?;
    let (b, lost) = (balance.get(), lost.get());
    let of = 4 * rounds;
    match (b, lost) {
        (0, 0) => outcome("balance = 0; no update lost", true),
        (0, n) => outcome(
            format!("balance = 0, but {n} of {of} updates were lost (they happened to cancel out)"),
            false,
        ),
        (b, n) => outcome(
            format!("balance = {b}, expected 0: {n} of {of} updates were lost"),
            false,
        ),
    }
    Ok(())
}

/// One thread: `rounds` times `balance += n; balance -= n`, each under the lock if any.
fn job(
    balance: &Value,
    lock: Option<&Lock>,
    rounds: i64,
    n: i64,
    window: f64,
    lost: &Counter,
) -> Res<()> {
    for _ in 0..rounds {
        for by in [n, -n] {
            let _held = match lock {
                Some(l) => Some(l.guard()?),
                None => None,
            };
            add(balance, by, window, lost)?;
        }
        sleep(OTHER_WORK_SECS)?;
    }
    Ok(())
}

/// `balance += by`, as the three steps it really is. Counts a lost update when the write
/// overwrites a value other than the one read: another thread's change just vanished.
fn add(balance: &Value, by: i64, window: f64, lost: &Counter) -> Res<()> {
    let v = balance.read()?;
    sleep(window)?;
    if balance.write(v + by)? != v {
        lost.inc();
    }
    Ok(())
}
