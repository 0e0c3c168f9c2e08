//! `stop-flag`: a worker loops until a shared flag tells it to stop, and ends cleanly.
//! The `event` variant uses an Event as the flag, so the worker wakes at once.

use super::kit::{ThreadArgs, shared};
use super::{Config, Info, Scenario, variant};
use crate::probe::{Event, Res, Thread, Value, now, outcome, say, sleep};
use parking_lot::Mutex;

pub const SCENARIO: Scenario = Scenario {
    info: Info {
        name: "stop-flag",
        title: "A stop flag ends a thread cleanly",
        lesson: "a loop that checks a shared stop flag ends by itself, cleanly, when asked",
        explain: "Python cannot kill a thread from outside. Instead, the thread's loop checks a \
shared flag and returns when it is set. Main sleeps a second, sets the flag, and joins; \
the worker ends with exit 'ok' (not killed, not cancelled): it could close files and release \
locks on its way out. Then main prints \"thread stopped\".",
        variants: &[
            variant("flag", "shared flag").explain(
                "The worker loops: sleep 0.1 s, print, read the flag 'stop'. Watch its lane: \
it finishes its current round, reads stop = 1, and ends. Note the delay: it only notices the \
flag after its sleep.",
            ),
            variant("event", "Event with timeout").explain(
                "The flag is an Event, and the worker waits on it with a timeout of 0.1 s \
instead of sleeping: set() wakes it at once, so it stops without the extra wait.",
            ),
        ],
        params: &[],
    },
    main,
};

/// What the worker reports about its own end, for main's outcome.
#[derive(Default)]
struct Report {
    rounds: u32,
    ended_at: f64,
    returned: bool,
}

fn main(cfg: &Config) -> Res<()> {
    let report = shared(Report::default());
    let set_at;
    if cfg.is("event") {
        let stop = Event::new("stop");
        let worker = Thread::new("worker")
            .args((&stop, &report))
            .start(|(stop, report)| run_until_event(&stop, &report))?;
        sleep(1.0)?;
        set_at = now();
        stop.set()?;
        worker.join()?;
    } else {
        let stop = Value::new("stop", 0);
        let worker = Thread::new("worker")
            .args((&stop, &report))
            .start(|(stop, report)| run_until_flag(&stop, &report))?;
        sleep(1.0)?;
        set_at = now();
        stop.write(1)?;
        worker.join()?;
    }
    say("thread stopped")?;
    let r = report.lock();
    outcome(
        format!(
            "the worker did {} rounds and returned by itself (exit ok) {:.2} s after the flag was set",
            r.rounds,
            (r.ended_at - set_at).max(0.0)
        ),
        r.returned,
    );
    Ok(())
}

fn run_until_flag(stop: &Value, report: &Mutex<Report>) -> Res<()> {
    loop {
        sleep(0.1)?;
        say("thread running")?;
        report.lock().rounds += 1;
        if stop.read()? != 0 {
            break;
        }
    }
    finish(report)
}

fn run_until_event(stop: &Event, report: &Mutex<Report>) -> Res<()> {
    // wait_timeout doubles as the pause between rounds: it returns early once set.
    while !stop.wait_timeout(0.1)? {
        say("thread running")?;
        report.lock().rounds += 1;
    }
    finish(report)
}

fn finish(report: &Mutex<Report>) -> Res<()> {
    say("stop seen: cleaning up and returning")?;
    let mut r = report.lock();
    r.ended_at = now();
    r.returned = true;
    Ok(())
}
