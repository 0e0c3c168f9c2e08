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
        explain: "Main starts five workers that each sleep two seconds and then print \"task \
done\". Main itself prints at once and ends.\n\n\
Daemon: the workers are daemon threads. Python does not wait for daemons: once main (and \
every other non-daemon thread) has ended, they are killed wherever they are. Watch their \
lanes end as 'killed', mid-sleep, and no \"task done\" is printed.\n\n\
Not daemon: the same workers, but ordinary threads. Main's lane ends first, yet the program \
waits for the workers: they finish and print.\n\n\
Reader/writer: a daemon 'reader' prints a counter every second; a non-daemon 'writer' waits \
for the user to type q (here: it types q after 'q_at' seconds); main prints five lines, one a \
second. The reader dies when the LAST of main and writer ends: with q_at=7 that is the \
writer, at 7 s; with q_at=3 it is main, at 5 s. Try both with [ and ].",
        variants: &[
            variant("daemon", "daemon workers"),
            variant("non-daemon", "ordinary workers"),
            variant("reader-writer", "reader/writer exit demo"),
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
    say(format!("main: started {n} workers; main ends now"))?;
    ledger.lock().main_end = Some(now());
    Ok(())
}

fn task(i: usize) -> Res<()> {
    sleep(2.0)?;
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
        Some(t) => format!("main ended at {t:.1} s"),
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
