//! `lock`: two jobs update one total. Without a lock their steps interleave; with one, each
//! job runs whole.

use super::kit::{ThreadArgs, join_all, shared};
use super::{Config, Info, Scenario, param, variant};
use crate::probe::{Lock, Res, Thread, Value, outcome, say, sleep};

pub const SCENARIO: Scenario = Scenario {
    info: Info {
        name: "lock",
        title: "A lock makes a job run whole",
        lesson: "job1 (+1) and job2 (+10) interleave without a lock, run one after the other with it",
        explain: "Two threads share one total. job1 adds 1 and job2 adds 10, a few times each, \
printing the total after every step and resting a moment between steps.",
        variants: &[
            variant("no-lock", "without lock").explain(
                "Without a lock the scheduler runs whichever thread is ready, so their printed \
lines mix: job1, job2, job1... Watch the two lanes take turns and the totals jump by 1 and \
by 10 in no order.",
            ),
            variant("with-lock", "with lock").explain(
                "With the lock, each job takes it before its first step and releases it after \
its last: the other job waits (its lane turns to 'blocked') and the printed totals come in \
two clean runs. A lock does not make code faster; it makes a group of steps indivisible.",
            ),
        ],
        params: &[param("rounds", "steps per job", 10, 1, 100)],
    },
    main,
};

fn main(cfg: &Config) -> Res<()> {
    let total = Value::new("total", 0);
    let lock = Lock::new("lock");
    let order = shared(Vec::new());
    let rounds = cfg.get("rounds");
    let use_lock = cfg.is("with-lock");
    let job = |name: &'static str, step: i64| {
        let args = (&total, &lock, &order);
        Thread::new(name)
            .args(args)
            .start(move |(total, lock, order)| {
                let _held = if use_lock { Some(lock.guard()?) } else { None };
                for _ in 0..rounds {
                    let v = total.read()? + step;
                    total.write(v)?;
                    order.lock().push(name);
                    say(format!("{name}: total = {v}"))?;
                    sleep(0.1)?;
                }
                Ok(())
            })
    };
    let jobs = [job("job1", 1)?, job("job2", 10)?];
    join_all(&jobs)?;
    // The evidence is the order of the steps: a job runs whole if its steps come together.
    let order = order.lock();
    let switches = order.windows(2).filter(|w| w[0] != w[1]).count();
    let total = total.get();
    let text = match (order.first(), order.last()) {
        (Some(first), Some(last)) if switches <= 1 => format!(
            "{first} did its {rounds} steps, then {last} its {rounds}: each job ran whole, \
             its lines together (total = {total})"
        ),
        _ => format!(
            "the jobs took turns {} mid-job: their lines mix and neither ran whole \
             (total = {total})",
            crate::model::describe::times(switches as u64)
        ),
    };
    outcome(text, switches <= 1);
    Ok(())
}
