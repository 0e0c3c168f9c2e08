//! `run --headless`: the scenario without a TUI. Prints the event log (text, or JSON Lines
//! with `--json`) and a summary, and exits with the scenario's outcome.

use crate::cli::Plan;
use crate::event::ExitHow;
use crate::model::check::Checker;
use crate::model::{WorkerState, World, describe, waitfor};
use crate::runner::Run;
use crate::wire;
use std::io::Write;
use std::time::{Duration, Instant};

/// Exit codes: what a script can tell from `threadlanes run --headless`.
pub mod exit {
    /// Ended, and the outcome is the correct one.
    pub const OK: i32 = 0;
    /// Ended with the wrong outcome (lost updates, an overdraft) or deadlocked.
    pub const WRONG: i32 = 1;
    /// Stopped by `--for` before it ended.
    pub const CUT: i32 = 2;
    /// A worker panicked or the stream broke a primitive's rules.
    pub const ERROR: i32 = 3;
}

pub struct Headless {
    pub json: bool,
    pub for_secs: Option<f64>,
}

/// Why the run stopped.
#[derive(Debug, PartialEq)]
enum End {
    Finished,
    /// Who waits for whom, in words, as it was when the cycle formed.
    Deadlock(String),
    Cut,
    /// Seeded mode: every worker waits and none can go, with no lock cycle to blame.
    Stuck,
}

pub fn run(plan: &Plan, h: &Headless, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let cfg = plan.config.clone();
    let main = plan.scenario.main;
    let mut run = Run::start(move || main(&cfg), plan.options);
    let mut world = World::default();
    let mut checker = Checker::new();
    let started = Instant::now();
    let limit = h.for_secs.map(Duration::from_secs_f64);
    let seeded = plan.options.mode == crate::runner::Mode::Seeded;
    // Who waits for whom, kept from the moment a cycle forms (stopping clears it).
    let mut cycle: Option<String> = None;
    let mut print = |world: &mut World, checker: &mut Checker, ev: &crate::event::Event| {
        world.apply(ev);
        checker.check(ev);
        let line = if h.json {
            wire::encode(ev)
        } else {
            // With who woke whom, as the TUI's log says it.
            describe::log_line_at(world, ev, world.causes.seen().saturating_sub(1))
        };
        // A closed stdout (a pipe into `head`) is not our error: keep running quietly.
        let _ = writeln!(out, "{line}");
    };
    let end = loop {
        match run.events().recv_timeout(Duration::from_millis(20)) {
            Ok(ev) => print(&mut world, &mut checker, &ev),
            Err(_) if run.is_finished() && run.events().is_empty() => break End::Finished,
            Err(_) => {}
        }
        if let (None, Some(c)) = (&cycle, &world.deadlock) {
            cycle = Some(waitfor::describe_cycle(&world, c));
        }
        // Free mode stops at the cycle; seeded mode runs on until nobody can go, so the
        // stream (and where it stops) is the same on every run.
        let stuck = seeded && run.is_stuck() && run.events().is_empty();
        if let (Some(c), true) = (&cycle, !seeded || stuck) {
            break End::Deadlock(c.clone());
        }
        if stuck {
            break End::Stuck;
        }
        if limit.is_some_and(|l| started.elapsed() >= l) {
            break End::Cut;
        }
    };
    if end != End::Finished {
        run.stop(Duration::from_secs(2));
    }
    while let Ok(ev) = run.events().try_recv() {
        print(&mut world, &mut checker, &ev);
    }
    let _ = out.flush();
    let summary = summary(plan, &world, &checker.violations, &end);
    let sink: &mut dyn Write = if h.json { err } else { out };
    let _ = write!(sink, "{summary}");
    code(&world, &checker.violations, &end)
}

fn code(world: &World, violations: &[String], end: &End) -> i32 {
    let panicked = world.workers.iter().any(|w| {
        matches!(
            w.state,
            WorkerState::Done {
                how: ExitHow::Panic,
                ..
            }
        )
    });
    if panicked || !violations.is_empty() {
        exit::ERROR
    } else if matches!(end, End::Deadlock(_) | End::Stuck)
        || world.outcome.as_ref().is_some_and(|o| !o.1)
    {
        exit::WRONG
    } else if *end == End::Cut {
        exit::CUT
    } else {
        exit::OK
    }
}

fn summary(plan: &Plan, world: &World, violations: &[String], end: &End) -> String {
    let info = &plan.scenario.info;
    let mut s = String::from("\n── summary ──\n");
    let params: Vec<_> = plan
        .config
        .params
        .iter()
        .map(|(n, v)| format!("{n}={v}"))
        .collect();
    s.push_str(&format!(
        "scenario: {} (variant {}{}{})\n",
        info.name,
        plan.config.variant,
        if params.is_empty() { "" } else { ", " },
        params.join(", ")
    ));
    s.push_str(&format!(
        "ran {} of virtual time, {} events, {} workers\n",
        describe::secs(world.t),
        world.events,
        world.workers.len()
    ));
    for w in &world.workers {
        s.push_str(&format!("  {:<14} {}\n", w.name, describe::state(world, w)));
    }
    match end {
        End::Deadlock(words) => s.push_str(&format!("outcome: DEADLOCK: {words}\n")),
        End::Cut => s.push_str("stopped by --for before the scenario ended\n"),
        End::Stuck => s.push_str("outcome: STUCK: every worker waits and none can go on\n"),
        End::Finished => {}
    }
    if let Some((text, ok)) = &world.outcome {
        let mark = if *ok { "as expected" } else { "WRONG" };
        s.push_str(&format!("outcome: {text} ({mark})\n"));
    }
    for v in violations {
        s.push_str(&format!("violation: {v}\n"));
    }
    for p in &world.problems {
        s.push_str(&format!("problem: {p}\n"));
    }
    s
}
