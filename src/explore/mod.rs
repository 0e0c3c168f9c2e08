//! `threadlanes explore -- python3 prog.py`: runs a program under many schedules until one
//! fails, and says how. Even runs are random (seed + n), odd ones priority-based with one to
//! three forced switches (as PCT does); several run at once where there are cores. The run
//! reported is the failing one with the lowest number, so the same `--seed` finds the same
//! run however many ran at once. Its schedule is then shortened where a shorter one still
//! fails, and printed with its interleaving ([`table`]).

mod table;
mod trial;

pub use table::table;
pub use trial::{Outcome, run};

use crate::source::traced::{Schedule, StartError, Strategy};
use std::io::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// How long one run may take before it counts as hung.
pub const RUN_LIMIT: Duration = Duration::from_secs(20);

/// What to explore and for how long.
#[derive(Clone, Debug)]
pub struct Settings {
    pub argv: Vec<String>,
    pub runs: u64,
    pub time: Option<Duration>,
    pub seed: u64,
    pub jobs: usize,
    /// Draw a progress bar on stderr (a terminal).
    pub progress: bool,
}

/// A failing run, as found and shortened.
pub struct Found {
    /// Its number (from 0) and the strategy that made it.
    pub run: u64,
    pub strategy: Strategy,
    /// The schedule to replay: the shortest that still fails.
    pub schedule: String,
    /// The outcome of that schedule's run.
    pub outcome: Outcome,
    /// Runs made to shorten its schedule.
    pub shortening: u64,
}

/// How a search ended.
pub enum Verdict {
    Failed(Box<Found>),
    /// No run failed: how many ran, in how long, and the lock orders that could deadlock
    /// another time (from any run).
    Passed {
        runs: u64,
        took: Duration,
        possible: Vec<String>,
    },
}

/// The strategy of run `n`; `horizon` is how many choices a run of the program makes (the
/// first run's count), over which priority runs spread their forced switches.
pub fn strategy(seed: u64, n: u64, horizon: usize) -> Strategy {
    let seed = seed.wrapping_add(n);
    if n.is_multiple_of(2) {
        Strategy::Random(seed)
    } else {
        Strategy::Priority {
            seed,
            switches: 1 + (n / 2 % 3) as usize,
            horizon: horizon.max(1),
        }
    }
}

/// Searches; the first failing run (lowest number) wins. The first run goes alone: how
/// many choices it made sets the horizon of the priority runs.
pub fn search(s: &Settings) -> Result<Verdict, StartError> {
    let start = Instant::now();
    let first = run(&s.argv, strategy(s.seed, 0, 1), RUN_LIMIT)?;
    let horizon = first.schedule.parse::<Schedule>().map_or(1, |p| p.0.len());
    let failed = first.failure.is_some();
    let possible = Mutex::new(first.possible.clone());
    let best: Mutex<Option<(u64, Outcome)>> = Mutex::new(failed.then_some((0, first)));
    let next = AtomicU64::new(1);
    let done = AtomicU64::new(1);
    let stop = AtomicBool::new(failed);
    let error: Mutex<Option<StartError>> = Mutex::new(None);
    let out_of_time = || s.time.is_some_and(|t| start.elapsed() >= t);
    std::thread::scope(|scope| {
        for _ in 0..s.jobs.max(1) {
            scope.spawn(|| {
                loop {
                    let n = next.fetch_add(1, Ordering::SeqCst);
                    let beaten = best
                        .lock()
                        .map(|b| b.as_ref().is_some_and(|(m, _)| *m < n))
                        .unwrap_or(true);
                    if n >= s.runs || beaten || out_of_time() || stop.load(Ordering::SeqCst) {
                        return;
                    }
                    match run(&s.argv, strategy(s.seed, n, horizon), RUN_LIMIT) {
                        Ok(o) if o.failure.is_some() => {
                            if let Ok(mut b) = best.lock()
                                && b.as_ref().is_none_or(|(m, _)| n < *m)
                            {
                                *b = Some((n, o));
                            }
                        }
                        Ok(o) => {
                            if let Ok(mut p) = possible.lock() {
                                for w in o.possible {
                                    if !p.contains(&w) && p.len() < 8 {
                                        p.push(w);
                                    }
                                }
                            }
                        }
                        Err(e) => {
                            stop.store(true, Ordering::SeqCst);
                            if let Ok(mut slot) = error.lock() {
                                *slot = Some(e);
                            }
                            return;
                        }
                    }
                    let d = done.fetch_add(1, Ordering::SeqCst) + 1;
                    if s.progress {
                        bar(d, s.runs, start.elapsed());
                    }
                }
            });
        }
    });
    if s.progress {
        eprint!("\r\x1b[K");
    }
    if let Some(e) = error.into_inner().ok().flatten() {
        return Err(e);
    }
    let runs = done.load(Ordering::SeqCst);
    let Some((n, outcome)) = best.into_inner().ok().flatten() else {
        return Ok(Verdict::Passed {
            runs,
            took: start.elapsed(),
            possible: possible.into_inner().unwrap_or_default(),
        });
    };
    let (schedule, outcome, tries) = shorten(&s.argv, outcome)?;
    Ok(Verdict::Failed(Box::new(Found {
        run: n,
        strategy: strategy(s.seed, n, horizon),
        schedule,
        outcome,
        shortening: tries,
    })))
}

/// The shortest prefix of the failing schedule that, replayed (each thread then going on
/// while it can), still fails; with its outcome and the runs it took.
fn shorten(argv: &[String], failed: Outcome) -> Result<(String, Outcome, u64), StartError> {
    let picks = failed.schedule.parse::<Schedule>().unwrap_or_default().0;
    let mut best = (failed.schedule.clone(), failed);
    let (mut lo, mut hi) = (0, picks.len());
    let mut tries = 0;
    // Binary search on the prefix length: failing at `hi`, not known below.
    while lo < hi && tries < 12 {
        let mid = (lo + hi) / 2;
        let prefix = Schedule(picks[..mid].to_vec());
        tries += 1;
        let o = run(argv, Strategy::Replay(prefix.clone()), RUN_LIMIT)?;
        if o.failure.is_some() {
            hi = mid;
            best = (prefix.to_string(), o);
        } else {
            lo = mid + 1;
        }
    }
    Ok((best.0, best.1, tries))
}

/// A progress bar on stderr: `[#####     ] 120/500 runs  3.2s`.
fn bar(done: u64, runs: u64, took: Duration) {
    const WIDTH: u64 = 30;
    let filled = (done * WIDTH / runs.max(1)) as usize;
    let mut err = std::io::stderr().lock();
    let _ = write!(
        err,
        "\r[{}{}] {done}/{runs} runs  {:.1}s",
        "#".repeat(filled),
        " ".repeat(WIDTH as usize - filled),
        took.as_secs_f64()
    );
    let _ = err.flush();
}

/// The report of a failing run: what failed, its seed and schedule, how to replay it, its
/// interleaving, the program's last words and any lock order that could deadlock.
pub fn report(f: &Found, argv: &[String]) -> String {
    let o = &f.outcome;
    let cmd = shell_words(argv);
    let kind = match f.strategy {
        Strategy::Random(seed) => format!("seed {seed}, random"),
        Strategy::Priority { seed, switches, .. } => {
            format!("seed {seed}, priorities with {switches} forced switches")
        }
        Strategy::Replay(_) => "replay".into(),
    };
    // No two threads could go at once before it failed: no order was chosen, so the
    // failure is not an interleaving's (a script that is not there, a plain bug).
    if f.schedule == "-" && f.run == 0 {
        let mut s = format!(
            "FAILED before any choice of order: {}\n  no two threads could go at once before it failed, so no \
             order of theirs caused it:\n  run it plainly (or trace it) to see why\n",
            o.failure.as_deref().unwrap_or("?"),
        );
        push_stderr(&mut s, o);
        return s;
    }
    let plain = if f.schedule == "-" {
        " (no picks: each thread goes on while it can, else the lowest-numbered one)"
    } else {
        ""
    };
    let mut s = format!(
        "FAILED: {}\n  found on run {} ({kind}); {} more runs to shorten its schedule\n  schedule {}{plain}\n  replay it: threadlanes trace --replay {} -- {cmd}\n  step through it: threadlanes trace --step --replay {} -- {cmd}\n\ninterleaving (one column per thread):\n{}",
        o.failure.as_deref().unwrap_or("?"),
        f.run + 1,
        f.shortening,
        f.schedule,
        f.schedule,
        f.schedule,
        table(&o.decisions)
    );
    push_stderr(&mut s, o);
    for p in &o.possible {
        s.push_str(&format!("possible deadlock: {p}\n"));
    }
    s
}

/// The program's last lines on stderr, if it wrote any.
fn push_stderr(s: &mut String, o: &Outcome) {
    let err = String::from_utf8_lossy(&o.output.1);
    let last: Vec<&str> = err.lines().rev().take(8).collect();
    if !last.is_empty() {
        s.push_str("\nthe program's stderr (its last lines):\n");
        for l in last.iter().rev() {
            s.push_str(&format!("  {l}\n"));
        }
    }
}

/// A command as one line a shell reads back the same (words with spaces or quotes quoted).
pub fn shell_words(argv: &[String]) -> String {
    let quote = |w: &String| {
        if !w.is_empty()
            && w.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c))
        {
            w.clone()
        } else {
            format!("'{}'", w.replace('\'', "'\\''"))
        }
    };
    argv.iter().map(quote).collect::<Vec<_>>().join(" ")
}
