//! `daemon`: daemon threads die when the program's last non-daemon thread ends; ordinary
//! threads keep the program alive. Plus the reader/writer exit demo.

use super::kit::{ThreadArgs, shared};
use super::{Config, Info, Scenario, param, variant};
use crate::probe::{Res, Stop, Thread, now, outcome, say, sleep};
use parking_lot::Mutex;

pub const SCENARIO: Scenario = Scenario {
    info: Info {
        name: "daemon",
        title: "Daemon threads die with the program",
        lesson: "daemon workers are killed when the last non-daemon thread ends; others are waited for",
        explain: "A daemon thread is one the program does not wait for: once main and every \
other non-daemon thread have ended, Python ends the program and the daemons die wherever \
they are.",
        variants: &[
            variant("daemon", "daemon workers")
                .explain(
                    "Main starts five daemon workers, each doing five parts of work (a sleep and \
a print each, about three seconds in all) before printing \"task done\". Main works for \
1.75 seconds and ends. (The tutorial's main ends at once, before any worker has \
done anything; here it works a moment so you can watch the daemons work.)\n\n\
Watch the workers' lanes: they work, and at main's end every one of them is 'killed' in \
the middle of its work. No \"task done\" is printed.",
                )
                .uses(&["workers"]),
            variant("non-daemon", "ordinary workers")
                .explain(
                    "The same five workers, but ordinary threads. Main still works for 1.75 \
seconds and ends: its lane ends first, yet the program waits for the workers. They \
finish their five parts and print \"task done\".",
                )
                .uses(&["workers"]),
            variant("reader-writer", "reader/writer demo")
                .explain(
                    "A daemon 'reader' prints a counter every second; a non-daemon 'writer' waits \
for the user to type q (here: it types q after q_at seconds); main prints five lines, one a \
second. The reader dies when the LAST of main and writer ends: with q_at=7 that is the \
writer, at 7 s; with q_at=3 it is main, at 5 s. Try both with [ and ].",
                )
                .uses(&["q_at"]),
        ],
        params: &[
            param(
                "workers",
                "workers started by main (daemon, non-daemon)",
                5,
                1,
                50,
            ),
            param(
                "q_at",
                "seconds until the writer types q (reader-writer)",
                7,
                1,
                15,
            ),
        ],
    },
    main,
};

fn main(cfg: &Config) -> Res<()> {
    if cfg.is("reader-writer") {
        reader_writer(cfg.get("q_at") as f64)
    } else {
        workers(cfg.get("workers") as usize, cfg.is("daemon"))
    }
}

/// How each worker ended, filled in by the workers themselves.
#[derive(Default)]
struct Ledger {
    main_end: Option<f64>,
    finished: usize,
    killed: usize,
    /// Workers killed before main had ended (never, if daemons behave as Python's).
    killed_early: usize,
}

/// How long main works before it ends, and each worker's parts of work: long enough that
/// the workers are seen working before main's end kills the daemons.
const MAIN_WORKS: f64 = 1.75;
const PARTS: usize = 5;

fn workers(n: usize, daemon: bool) -> Res<()> {
    let ledger = shared(Ledger::default());
    for i in 0..n {
        Thread::new(format!("task-{i}"))
            .daemon(daemon)
            .args(&ledger)
            .start(move |ledger| {
                let r = task(i);
                worker_ended(&ledger, &r, n, daemon);
                r
            })?;
    }
    say(format!("main: started {n} workers; main works a moment"))?;
    sleep(MAIN_WORKS)?;
    say("main: done; main ends now")?;
    ledger.lock().main_end = Some(now());
    Ok(())
}

/// Five parts of work, each a little longer for each next worker (so their prints do not
/// all land at once), then "task done".
fn task(i: usize) -> Res<()> {
    let part = 0.5 + 0.05 * (i % 5) as f64;
    for k in 1..=PARTS {
        sleep(part)?;
        say(format!("task-{i}: part {k} of {PARTS}"))?;
    }
    say(format!("task-{i}: task done"))
}

/// Records one worker's end; the last one to end states the outcome.
fn worker_ended(ledger: &Mutex<Ledger>, r: &Res<()>, n: usize, daemon: bool) {
    let mut l = ledger.lock();
    match r {
        Ok(()) => l.finished += 1,
        Err(Stop::Killed) => {
            l.killed += 1;
            if l.main_end.is_none() {
                l.killed_early += 1;
            }
        }
        Err(Stop::Cancelled) => return,
    }
    if l.finished + l.killed < n {
        return;
    }
    let when = match l.main_end {
        Some(t) => format!("main ended at {t:.2} s"),
        None => "main was still running".to_string(),
    };
    if daemon {
        outcome(
            format!(
                "{when}; {} of {n} daemon workers were killed with it, {} finished first",
                l.killed, l.finished
            ),
            l.killed_early == 0,
        );
    } else {
        outcome(
            format!(
                "{when}; the program waited: {} of {n} workers finished and printed at {:.1} s",
                l.finished,
                now()
            ),
            l.finished == n,
        );
    }
}

#[derive(Default)]
struct Ends {
    main: Option<f64>,
    writer: Option<f64>,
}

fn reader_writer(q_at: f64) -> Res<()> {
    say("test begin...")?;
    let ends = shared(Ends::default());
    let writer = Thread::new("writer").args(&ends).start(move |ends| {
        say("writer: waiting for input")?;
        sleep(q_at)?;
        say("writer: q")?;
        ends.lock().writer = Some(now());
        Ok(())
    })?;
    let reader = Thread::new("reader")
        .daemon(true)
        .args(&ends)
        .start(|ends| {
            let r = read_forever();
            if r == Err(Stop::Killed) {
                reader_killed(&ends.lock());
            }
            r
        })?;
    for i in 0..5 {
        say(format!("main {i}"))?;
        sleep(1.0)?;
    }
    // Handles are not joined: like the tutorial, main just ends.
    let _ = (writer, reader);
    ends.lock().main = Some(now());
    Ok(())
}

fn read_forever() -> Res<()> {
    let mut i = 0;
    loop {
        say(format!("reader: {i}"))?;
        i += 1;
        sleep(1.0)?;
    }
}

fn reader_killed(ends: &Ends) {
    let at = now();
    let (Some(m), Some(w)) = (ends.main, ends.writer) else {
        outcome(
            format!(
                "the daemon reader was killed at {at:.1} s, before main and writer had both ended"
            ),
            false,
        );
        return;
    };
    let (last, other) = if w >= m {
        (
            format!("writer typed q at {w:.1} s"),
            format!("main had ended at {m:.1} s"),
        )
    } else {
        (
            format!("main ended at {m:.1} s"),
            format!("the writer had quit at {w:.1} s"),
        )
    };
    outcome(
        format!(
            "the daemon reader was killed at {at:.1} s, right after the last non-daemon thread: {last}; {other}"
        ),
        at >= m.max(w),
    );
}
