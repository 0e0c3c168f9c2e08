//! One run of the program under one strategy, and whether it failed: a non-zero exit
//! status, an uncaught exception in any thread, a deadlock (every thread waits and none can
//! go), a broken rule of a primitive, or no end within the time a run may take.

use crate::event::{ExitHow, Op, WorkerKind};
use crate::model::check::Checker;
use crate::model::world::{Limits, World};
use crate::runner::Mode;
use crate::source::traced::{
    Captured, Decision, Options, Output, StartError, Strategy, TracedSource,
};
use crate::source::{Item, Source};
use std::time::{Duration, Instant};

/// What one run did.
pub struct Outcome {
    /// Why it failed, in words; None if it did not.
    pub failure: Option<String>,
    /// The picks it made at each choice, as `trace --replay` takes them.
    pub schedule: String,
    pub decisions: Vec<Decision>,
    /// Lock orders that could deadlock another time (`t1 takes a then b; t2 takes b then a`).
    pub possible: Vec<String>,
    pub output: Captured,
}

/// What a thread's failure is called in the program's language: a Python program's is an
/// uncaught exception, any other's (a Rust program through `threadlanes::sync`) a panic.
fn failure_word(argv: &[String]) -> &'static str {
    let script = argv.first().is_some_and(|a| a.ends_with(".py"));
    if crate::trace::runs_python(argv) || script {
        "uncaught exception"
    } else {
        "panic"
    }
}

/// Runs `argv` once, scheduled by `strategy`; a run that has not ended after `limit` is
/// stopped and counts as failed (it hangs).
pub fn run(argv: &[String], strategy: Strategy, limit: Duration) -> Result<Outcome, StartError> {
    let opts = Options {
        speed: 1.0,
        output: Output::Capture,
        tui: false,
    };
    let mut src = TracedSource::start_in(argv, &opts, Mode::Seeded, Some(strategy))?;
    let mut world = World::new(Limits::default());
    let mut checker = Checker::new();
    let mut panics = Vec::new();
    // Threads by the names the program gave them (a lane's adds the pid).
    let mut names = std::collections::HashMap::new();
    let deadline = Instant::now() + limit;
    let ended = loop {
        src.wait(Duration::from_millis(20), &mut |item| {
            if let Item::Event(ev) = item {
                checker.check(&ev);
                if let Op::Worker { name, kind, .. } = &ev.op {
                    let name = match kind {
                        WorkerKind::Main => "main".to_string(),
                        _ => name.clone(),
                    };
                    names.insert(ev.w, name);
                }
                if let Op::Exit {
                    how: ExitHow::Panic,
                    msg,
                } = &ev.op
                    // A process's status is said below, as the exit status.
                    && !msg.as_deref().is_some_and(|m| m.starts_with("exit code "))
                {
                    panics.push((ev.w, msg.clone().unwrap_or_default()));
                }
                world.apply_owned(ev);
            }
        });
        if src.is_finished() {
            break None;
        }
        if src.is_stuck() && src.is_quiet() {
            break Some(format!("deadlock: {}", src.waiting().join("; ")));
        }
        if Instant::now() >= deadline {
            break Some(format!(
                "no end after {}s (it hangs, or waits on something untraced)",
                limit.as_secs()
            ));
        }
    };
    let decisions = src.decisions();
    let schedule = src.schedule().unwrap_or_else(|| "-".into());
    src.stop(Duration::from_millis(500));
    let failure = ended.or_else(|| {
        if let Some((w, msg)) = panics.first() {
            let who = names.get(w).map_or("a thread", String::as_str);
            return Some(format!("{} in {who}: {msg}", failure_word(argv)));
        }
        if let Some(v) = checker.violations.first() {
            return Some(format!("a primitive's rule was broken: {v}"));
        }
        match src.exit_status() {
            Some(0) => None,
            Some(code) => Some(format!("exit status {code}")),
            None => Some("it never ended".into()),
        }
    });
    let possible = possible_deadlocks(&world, &decisions);
    Ok(Outcome {
        failure,
        schedule,
        decisions,
        possible,
        output: src.captured(),
    })
}

/// Every possible deadlock the lock order shows, with where in the program each thread
/// asked for its second lock: "t1 takes a then b (ab_ba.py:12); t2 takes b then a
/// (ab_ba.py:18)" (the places from the operations the gate let through).
fn possible_deadlocks(world: &World, decisions: &[Decision]) -> Vec<String> {
    let place = |w, o| {
        decisions
            .iter()
            .find(|d| d.w == w && d.o == Some(o) && d.what.starts_with("acquire"))
            .filter(|d| !d.at.is_empty())
            .map_or(String::new(), |d| format!(" ({})", d.at))
    };
    world
        .lock_order
        .possible()
        .iter()
        .map(|cycle| {
            let orders: Vec<String> = cycle
                .iter()
                .map(|(e, w)| {
                    format!(
                        "{} takes {} then {}{}",
                        world.worker_name(*w),
                        world.object_name(e.held),
                        world.object_name(e.wanted),
                        place(*w, e.wanted)
                    )
                })
                .collect();
            orders.join("; ")
        })
        .collect()
}
