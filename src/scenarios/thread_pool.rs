//! `thread-pool`: ten tasks of different lengths on a pool of worker threads, their results
//! collected three ways: `map`, `submit` then `result()` in order, and `as_completed`.

use super::kit::spaced;
use super::{Config, Info, Scenario, param, variant};
use crate::probe::{Future, Res, ThreadPool, as_completed, now, outcome, say, sleep};

pub const SCENARIO: Scenario = Scenario {
    info: Info {
        name: "thread-pool",
        title: "A thread pool: map, submit, as_completed",
        lesson: "map and result() give results in submission order; as_completed in finishing order",
        explain: "A thread pool (Python's ThreadPoolExecutor) keeps a few worker threads and a \
queue of tasks: each idle worker takes the next task. Ten tasks sleep for different times \
(the tutorial's 5, 1, 3, 2, 4, 5, 1, 2, 3, 4 seconds, halved here to keep the run short) and \
return their number. The pool has four workers (Python's default is min(32, CPUs + 4), which \
on the tutorial's machine ran all ten at once: set workers=10 to see that). Watch the pool \
panel (tasks submitted, running, done) and the lanes pool-0..pool-3 take task after task.",
        variants: &[
            variant("map", "executor.map").explain(
                "map submits all ten and yields results in the order submitted: main waits for \
task 0 even when later tasks are long done.",
            ),
            variant("submit", "submit, in order").explain(
                "The same as map, spelled out: main keeps the futures and asks each for its \
result in turn, waiting on a slow one while finished ones are ready.",
            ),
            variant("as-completed", "as_completed").explain(
                "as_completed hands back each future as soon as its task finishes, so short \
tasks come first and main never waits on a slow task while a finished one is ready.",
            ),
        ],
        params: &[param("workers", "worker threads in the pool", 4, 1, 10)],
    },
    main,
};

/// The tutorial's sleep times, in seconds; the tasks sleep half as long.
const SLEEP_SECS: [f64; 10] = [5.0, 1.0, 3.0, 2.0, 4.0, 5.0, 1.0, 2.0, 3.0, 4.0];
const SCALE: f64 = 0.5;

fn task(i: usize) -> Res<usize> {
    let secs = SLEEP_SECS[i] * SCALE;
    sleep(secs)?;
    say(format!("task {i} done after {secs} s"))?;
    Ok(i)
}

fn main(cfg: &Config) -> Res<()> {
    let workers = cfg.get("workers") as usize;
    let mut pool = ThreadPool::new("executor", workers)?;
    let started = now();
    let n = SLEEP_SECS.len();
    // The order main received results in, and how many were already done when asked for.
    let mut got = Vec::new();
    let mut ready = 0;
    let mut futures: Vec<Future<usize>> = Vec::new();
    if cfg.is("map") {
        for r in pool.map(task, 0..n)? {
            got.push(r?);
            say(format!("main got {}", got[got.len() - 1]))?;
        }
    } else {
        for i in 0..n {
            futures.push(pool.submit(move || task(i))?);
        }
        if cfg.is("submit") {
            for f in &futures {
                ready += usize::from(f.done());
                got.push(f.result()?);
                say(format!("main got {}", got[got.len() - 1]))?;
            }
        } else {
            for f in as_completed(&futures) {
                got.push(f?.result()?);
                say(format!("main got {}", got[got.len() - 1]))?;
            }
        }
    }
    pool.shutdown()?;
    let took = now() - started;
    let total: f64 = SLEEP_SECS.iter().map(|s| s * SCALE).sum();
    let plural = if workers == 1 { "" } else { "s" };
    let timing = format!("{took:.1} s for {total:.1} s of sleeps on {workers} worker{plural}");
    if cfg.is("as-completed") {
        // The order the pool saw them finish, measured by the pool itself.
        let mut finished: Vec<_> = futures
            .iter()
            .map(|f| (f.finished_rank(), f.task()))
            .collect();
        finished.sort();
        let finished: Vec<usize> = finished.into_iter().map(|(_, t)| t as usize).collect();
        outcome(
            format!(
                "as_completed gave {}: the order they finished in ({timing})",
                spaced(&got)
            ),
            got == finished,
        );
    } else {
        let how = if cfg.is("map") {
            "map".to_string()
        } else {
            format!("result() in order ({ready} of {n} were already done when asked)")
        };
        outcome(
            format!("{how} gave {}: submission order ({timing})", spaced(&got)),
            got == (0..n).collect::<Vec<_>>(),
        );
    }
    Ok(())
}
