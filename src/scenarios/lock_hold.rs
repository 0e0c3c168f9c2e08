//! `lock-hold`: many threads take one lock and sleep while holding it, so they run one
//! after another; sleeping after the release lets them overlap.

use super::kit::{ThreadArgs, join_all};
use super::{Config, Info, Scenario, param, variant};
use crate::probe::{Lock, Res, Thread, Value, now, outcome, sleep};

pub const SCENARIO: Scenario = Scenario {
    info: Info {
        name: "lock-hold",
        title: "A lock held across a sleep serialises everyone",
        lesson: "threads that sleep while holding a lock run one at a time; hold a lock briefly",
        explain: "Twenty threads share a counter. Each takes the lock, adds 1, and sleeps half \
a second. The sleep stands for any slow work (a network call, a file). Raise 'threads' (up \
to 100, as in the tutorial) to see the queue grow.",
        variants: &[
            variant("inside", "sleep holding it").explain(
                "Each thread sleeps while still holding the lock. Watch the lock panel: one \
owner at a time and a long queue behind it (threadlanes hands the lock to the longest \
waiter, so the queue drains in the order it formed; CPython's Lock promises no order: a \
thread that releases and at once asks again may win). Every thread spends nearly all its \
life 'blocked' waiting for the lock, and the whole run takes twenty times as long as one \
sleep: the lock has turned twenty threads into one.",
            ),
            variant("outside", "unlock, then sleep").explain(
                "The fix: hold the lock only around what must be indivisible. Each thread adds \
1 under the lock and sleeps after releasing it, so the sleeps overlap and the run takes \
about one sleep. The counter is right either way.",
            ),
        ],
        params: &[
            param("threads", "threads taking the lock", 20, 1, 100),
            param("hold_ms", "milliseconds each thread sleeps", 500, 10, 2000),
        ],
    },
    main,
};

fn main(cfg: &Config) -> Res<()> {
    let lock = Lock::new("lock");
    let num = Value::new("num", 0);
    let threads = cfg.get("threads");
    let hold = cfg.get("hold_ms") as f64 / 1000.0;
    let inside = cfg.is("inside");
    let started = now();
    let mut ts = Vec::new();
    for i in 0..threads {
        let t = Thread::new(format!("t{i}"))
            .args((&lock, &num))
            .start(move |(lock, num)| {
                {
                    let _held = lock.guard()?;
                    let v = num.read()?;
                    num.write(v + 1)?;
                    if inside {
                        sleep(hold)?;
                    }
                }
                if !inside {
                    sleep(hold)?;
                }
                Ok(())
            })?;
        ts.push(t);
    }
    join_all(&ts)?;
    let took = now() - started;
    let count = num.get();
    let how = if took >= threads as f64 * hold {
        "the lock serialised them"
    } else {
        "their sleeps overlapped"
    };
    outcome(
        format!(
            "{threads} threads took {took:.1} s (one sleep: {hold:.2} s): {how}; num = {count}"
        ),
        count == threads,
    );
    Ok(())
}
