//! `gil`: a simulated global interpreter lock. CPU-bound work done by threads that must hold
//! one lock to compute takes as long as doing it all on one thread; without that lock the
//! same threads run in parallel. The times stated are real wall-clock times.

use super::kit::{Gauge, ThreadArgs, join_all};
use super::{Config, Info, Scenario, param, variant};
use crate::probe::{Lock, Res, Thread, outcome, say, yield_now};
use crate::process::Process;
use crate::process::child::Conn as ChildConn;
use serde_json::{Value, json};
use std::hint::black_box;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

pub const SCENARIO: Scenario = Scenario {
    info: Info {
        name: "gil",
        title: "The GIL: threads take turns at CPU work",
        lesson: "CPU-bound threads under one interpreter lock take turns, so they are no faster than one thread",
        explain: "CPython runs Python bytecode only while holding the global interpreter lock, \
the GIL. A thread doing pure computation holds it, and every few milliseconds (the switch \
interval) drops it so another thread can have a turn.\n\n\
Rust threads have no GIL, so this scenario builds one to show the effect: a plain lock named \
GIL (see it in the objects panel, with its holder and its waiters) that a thread must hold \
while it computes. The work is real: sums of i + i*i + i*i*i over a range. A turn at the GIL \
lasts a quarter of a second on the lanes' clock (Python's switch interval is 5 ms; ours is \
fifty times longer so you can follow the GIL from thread to thread by eye). The work is sized \
to that when the run starts: at a higher speed each turn is shorter in real time, so the \
lanes look the same. After each turn the holder releases the GIL and asks for it again, so \
the longest waiter goes next.\n\n\
The times stated are real wall-clock times, so they vary with the machine and its load; \
pausing during a timed phase adds to its time.",
        variants: &[
            variant("compare", "all four, timed").explain(
                "The same work done four ways, one after the other, with the real time of \
each: main alone (sequential); four threads under the GIL (one computes, the others queue \
for the GIL, and it passes from thread to thread a few times a second); four threads \
without it (all compute at once, on as many cores as the machine has); four child processes \
(real OS processes, each with its own memory and so, in Python, its own GIL, as \
multiprocessing does). Under the GIL the threads are no faster than main alone; threads \
without it and processes are, on a machine with more than one core. Starting a process \
costs a few milliseconds, which is in its time.",
            ),
            variant("sequential", "main alone").explain(
                "Main does all the threads' work itself, holding the GIL throughout (nobody \
else wants it): the time to beat.",
            ),
            variant("gil", "threads under the GIL").explain(
                "Four threads share the work under the GIL. Watch the GIL object and the \
lanes: one thread computes, the others wait for the GIL; every quarter second the holder \
lets go and the longest waiter takes it. At most one computes at any moment, so together \
they take as long as main alone.",
            ),
            variant("no-gil", "threads without a GIL").explain(
                "Four threads share the work with no GIL: they all compute at once, on as many \
cores as the machine has (the GIL object stays free). On a machine with more than one core \
this is faster than one thread.",
            ),
            variant("processes", "processes, one GIL each").explain(
                "Four child processes share the work, each with its own memory (in Python, \
its own GIL): they compute at once, as multiprocessing does, and send their sums back over \
a pipe.",
            ),
        ],
        params: &[
            param(
                "threads",
                "threads (or processes) sharing the work",
                4,
                1,
                8,
            ),
            param(
                "chunks",
                "turns of about a quarter second of computation per thread",
                3,
                1,
                100,
            ),
        ],
    },
    main,
};

/// How long one turn at the GIL lasts on the lanes' clock (virtual seconds): long enough to
/// follow by eye at ×1. The real work of a turn is sized to it when the run starts.
const TURN: f64 = 0.25;

/// The work, as the threads split it.
#[derive(Clone, Copy)]
struct Plan {
    threads: u64,
    chunks: u64,
    /// Loop iterations in one chunk (calibrated to take about `TURN` at the run's speed).
    iters: u64,
}

/// What one way of doing the work measured.
struct Timed {
    label: String,
    wall: Duration,
    total: u64,
    /// Most threads computing at the same moment.
    peak: u64,
}

fn main(cfg: &Config) -> Res<()> {
    // The real time of a turn at this run's speed: a quarter second of the lanes' clock.
    let speed = crate::probe::speed();
    let turn = Duration::from_secs_f64(TURN / speed);
    let plan = Plan {
        threads: cfg.get("threads") as u64,
        chunks: cfg.get("chunks") as u64,
        iters: calibrate(turn),
    };
    say(format!(
        "one turn = {} loop iterations, about {} ms of real time here at x{speed}; {} turns \
         per thread",
        plan.iters,
        turn.as_millis(),
        plan.chunks
    ))?;
    let gil = Lock::new("GIL");
    let runs = match cfg.variant {
        "sequential" => vec![sequential(plan, &gil)?],
        "gil" => vec![threaded(plan, Some(&gil))?],
        "no-gil" => vec![threaded(plan, None)?],
        "processes" => vec![processes(plan)?],
        _ => vec![
            sequential(plan, &gil)?,
            threaded(plan, Some(&gil))?,
            threaded(plan, None)?,
            processes(plan)?,
        ],
    };
    let agree = runs.iter().all(|r| r.total == runs[0].total);
    let base = runs[0].wall.as_secs_f64();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let parts: Vec<String> = runs
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let secs = r.wall.as_secs_f64();
            let wall = seconds(r.wall);
            let speedup = if i > 0 {
                format!(", speed-up x{:.2}", base / secs.max(1e-9))
            } else {
                String::new()
            };
            format!("{} {wall} s ({}{speedup})", r.label, at_once(r.peak, cores))
        })
        .collect();
    outcome(
        format!(
            "real wall time: {} on {cores} cores; {}",
            parts.join("; "),
            if agree {
                "every way computed the same sum"
            } else {
                "the sums DIFFER"
            }
        ),
        agree,
    );
    Ok(())
}

/// How many computed side by side: more than the machine's cores are all at work, but
/// the cores run only so many at a time (the speed-up says how many).
fn at_once(peak: u64, cores: usize) -> String {
    if peak > cores as u64 {
        format!("{peak} at work at once, {cores} cores running them")
    } else {
        format!("at most {peak} computing at once")
    }
}

/// Main does every thread's share itself, holding the GIL throughout (nobody else wants it).
fn sequential(plan: Plan, gil: &Lock) -> Res<Timed> {
    say("sequential: main computes everything")?;
    let started = Instant::now();
    let _held = gil.guard()?;
    let mut total = 0u64;
    for k in 0..plan.threads {
        for c in 0..plan.chunks {
            total = total.wrapping_add(chunk(plan, k, c));
            yield_now()?;
        }
    }
    let wall = started.elapsed();
    say(format!("sequential: {} s", seconds(wall)))?;
    Ok(Timed {
        label: "sequential".into(),
        wall,
        total,
        peak: 1,
    })
}

/// `threads` threads share the work, each computing its share, under the GIL or not.
fn threaded(plan: Plan, gil: Option<&Lock>) -> Res<Timed> {
    let n = match plan.threads {
        1 => "1 thread".to_string(),
        n => format!("{n} threads"),
    };
    let (label, prefix) = match gil {
        Some(_) => (format!("{n} under the GIL"), "gil"),
        None => (format!("{n} without a GIL"), "free"),
    };
    say(format!("{label}: starting"))?;
    let total = Arc::new(AtomicU64::new(0));
    let inside = Gauge::default();
    let started = Instant::now();
    let mut ts = Vec::new();
    for k in 0..plan.threads {
        let args = (&gil.cloned(), &total, &inside);
        let name = format!("{prefix}-{}", k + 1);
        let t = Thread::new(name)
            .args(args)
            .start(move |(gil, total, inside)| {
                let sum = share(plan, k, gil.as_ref(), &inside)?;
                total.fetch_add(sum, Ordering::SeqCst);
                Ok(())
            })?;
        ts.push(t);
    }
    join_all(&ts)?;
    let wall = started.elapsed();
    say(format!("{label}: {} s", seconds(wall)))?;
    let total = total.load(Ordering::SeqCst);
    Ok(Timed {
        label,
        wall,
        total,
        peak: inside.peak() as u64,
    })
}

/// Thread `k`'s share of the work, computed while holding the GIL if there is one.
fn share(plan: Plan, k: u64, gil: Option<&Lock>, inside: &Gauge) -> Res<u64> {
    let mut sum = 0u64;
    // Python's switch: after each chunk the holder drops the GIL and queues again.
    let mut held = match gil {
        Some(g) => Some(g.guard()?),
        None => None,
    };
    for c in 0..plan.chunks {
        inside.enter();
        sum = sum.wrapping_add(chunk(plan, k, c));
        inside.leave();
        yield_now()?;
        if let (Some(g), true) = (gil, c + 1 < plan.chunks) {
            drop(held.take());
            held = Some(g.guard()?);
        }
    }
    drop(held);
    Ok(sum)
}

/// `threads` child processes share the work, each computing its share and sending its sum
/// back over a pipe; each has its own memory, so nothing like a GIL is shared between them.
fn processes(plan: Plan) -> Res<Timed> {
    let label = format!("{} processes", plan.threads);
    say(format!("{label}: starting"))?;
    let started = Instant::now();
    let mut ps = Vec::new();
    for k in 0..plan.threads {
        let name = format!("proc-{}", k + 1);
        let conn = format!("{name} sum");
        let p = Process::new(&name, "gil", "compute")
            .args(json!({"k": k, "chunks": plan.chunks, "iters": plan.iters, "conn": conn}))
            .conn(&conn)
            .start()?;
        ps.push((p.conn(&conn), p));
    }
    let mut total = 0u64;
    for (conn, p) in &ps {
        let sum = conn.recv()?.and_then(|v| v.as_str()?.parse::<u64>().ok());
        total = total.wrapping_add(sum.unwrap_or(0));
        p.join()?;
    }
    let wall = started.elapsed();
    say(format!("{label}: {} s", seconds(wall)))?;
    Ok(Timed {
        label,
        wall,
        total,
        peak: plan.threads,
    })
}

pub fn role(name: &str) -> Option<crate::process::child::Role> {
    match name {
        "compute" => Some(compute_share),
        _ => None,
    }
}

/// A child process's share of the work: its chunks, then its sum to the parent.
fn compute_share(args: &Value) -> Res<()> {
    let get = |k: &str| args[k].as_u64().unwrap_or(1);
    let plan = Plan {
        threads: 1,
        chunks: get("chunks"),
        iters: get("iters"),
    };
    let k = args["k"].as_u64().unwrap_or(0);
    let conn = ChildConn::open(args["conn"].as_str().unwrap_or("sum"));
    let mut sum = 0u64;
    for c in 0..plan.chunks {
        sum = sum.wrapping_add(chunk(plan, k, c));
        yield_now()?;
    }
    // As text: a JSON number would lose the low bits of a u64.
    conn.send(json!(sum.to_string()))
}

/// Chunk `c` of thread `k`'s share: every chunk covers its own range of i.
fn chunk(plan: Plan, k: u64, c: u64) -> u64 {
    let from = (k * plan.chunks + c) * plan.iters;
    compute(from, plan.iters)
}

/// The CPU work: the sum of i + i^2 + i^3 over a range (wrapping, so any order adds up the
/// same).
fn compute(from: u64, n: u64) -> u64 {
    let mut s = 0u64;
    for i in from..from + n {
        let i = black_box(i);
        let sq = i.wrapping_mul(i);
        s = s
            .wrapping_add(i)
            .wrapping_add(sq)
            .wrapping_add(sq.wrapping_mul(i));
    }
    s
}

/// A wall time in seconds with the digits it needs: "2.41", or "0.0031" at a high speed,
/// where the work is sized down to milliseconds.
fn seconds(d: Duration) -> String {
    match d.as_secs_f64() {
        s if s >= 0.1 => format!("{s:.2}"),
        s => format!("{s:.4}"),
    }
}

/// How many iterations take about `turn` here (debug and release builds differ a lot).
/// The fastest of a few samples: the one least disturbed by other programs.
fn calibrate(turn: Duration) -> u64 {
    let mut n = 1_000u64;
    let mut best = f64::MAX;
    let mut samples = 0;
    while samples < 5 {
        let t = Instant::now();
        black_box(compute(0, n));
        let took = t.elapsed();
        // Samples of 10 ms or more: shorter ones overstate the cost of an iteration.
        if took < Duration::from_millis(10) && n < 1 << 34 {
            n *= 2;
            continue;
        }
        best = best.min(took.as_secs_f64() / n as f64);
        samples += 1;
    }
    ((turn.as_secs_f64() / best.max(1e-12)) as u64).max(1)
}
