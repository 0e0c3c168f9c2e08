//! `race`: two threads do `balance += 1; balance -= 1` many times; without a lock updates
//! are lost, with one the balance ends at 0.

use super::kit::{Counter, ThreadArgs, join_all};
use super::{Config, Info, Scenario, param, variant};
use crate::probe::{Lock, Res, Thread, Value, outcome, sleep};
use crate::runner::gate::Mode;

pub const SCENARIO: Scenario = Scenario {
    info: Info {
        name: "race",
        title: "A race loses updates",
        lesson: "balance += 1; balance -= 1 from two threads loses updates; a lock fixes it",
        explain: "Two threads share a balance that starts at 0. Each adds 1 and subtracts 1, \
over and over: done one at a time, the balance would always come back to 0.\n\n\
But `balance += 1` is three steps: read the balance, add, write it back. To make the window \
between the read and the write wide enough to see on every run, each thread rests a moment \
there (as a thread switch would make it do; t1 50 ms, t2 35 ms). Nothing else is staged: \
these are two real OS threads writing one shared integer.",
        variants: &[
            variant("no-lock", "without lock").explain(
                "If the other thread writes between our read and our write, our write throws \
its update away. Watch the log: both threads read the same value, both write, one change is \
gone. The outcome counts the lost updates.\n\n\
The rests are fixed, so in a free run they, not the OS, decide who reads and writes when: \
free runs at ×1 lose the same number every time (only at high speeds, where a rest is a \
fraction of a millisecond, does the OS's own timing start to change it). A seeded run (R) lets the seed \
pick who goes whenever both are ready, and the count changes with the seed.",
            ),
            variant("with-lock", "with lock").explain(
                "With the lock, read-and-write is one indivisible step: the other thread waits \
(its lane turns to 'blocked') until the holder has written. No update is lost and the \
balance ends at 0.",
            ),
        ],
        params: &[param("rounds", "+1/-1 rounds per thread", 30, 1, 10_000)],
    },
    main,
};

/// The pause between a read and its write: a thread switch in the middle of `+=`. The two
/// threads are switched out for different times, as real threads are; with equal pauses they
/// would march in step and their lost updates would cancel out.
const WINDOW_SECS: [f64; 2] = [0.05, 0.035];

fn main(cfg: &Config) -> Res<()> {
    let balance = Value::new("balance", 0);
    let lock = Lock::new("lock");
    let rounds = cfg.get("rounds");
    let use_lock = cfg.is("with-lock");
    let lost = Counter::default();
    let mut threads = Vec::new();
    for (name, window) in ["t1", "t2"].into_iter().zip(WINDOW_SECS) {
        let t = Thread::new(name).args((&balance, &lock, &lost)).start(
            move |(balance, lock, lost)| {
                let lock = use_lock.then_some(&lock);
                job(&balance, lock, rounds, window, &lost)
            },
        )?;
        threads.push(t);
    }
    join_all(&threads)?;
    let (b, lost) = (balance.get(), lost.get());
    let of = 4 * rounds;
    // Says why a free run's count repeats (see the explanation).
    let why = if crate::probe::mode() == Mode::Free {
        "; free runs mostly repeat this count (the fixed rests set the order); seeded runs (R) vary it"
    } else {
        ""
    };
    match (b, lost) {
        (0, 0) => outcome("balance = 0; no update lost", true),
        (0, n) => outcome(
            format!(
                "balance = 0, but {n} of {of} updates were lost (they happened to cancel out){why}"
            ),
            false,
        ),
        (b, n) => outcome(
            format!("balance = {b}, expected 0: {n} of {of} updates were lost{why}"),
            false,
        ),
    }
    Ok(())
}

/// One thread: `rounds` times `balance += 1; balance -= 1`, each under the lock if any.
fn job(balance: &Value, lock: Option<&Lock>, rounds: i64, window: f64, lost: &Counter) -> Res<()> {
    for _ in 0..rounds {
        for by in [1, -1] {
            let _held = match lock {
                Some(l) => Some(l.guard()?),
                None => None,
            };
            add(balance, by, window, lost)?;
        }
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
