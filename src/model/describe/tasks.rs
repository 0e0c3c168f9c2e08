//! A task's and a task-running thread's state in words (what `model::task` reads, said
//! the way the lanes, the log and the details say everything else).

use super::super::task::{frozen_by, holder, is_task, runs_tasks};
use super::super::worker::{Worker, WorkerState};
use super::super::world::World;
use crate::event::ExitHow;

/// A task's state in words: "running on main", "awaiting sleep 1s (0.4s left)",
/// "awaiting lock L (held by consumer)", "frozen: blocker keeps main" (its sleep is over,
/// the thread is not back), "failed: boom". Short first words: a lane shows the start. `None` for a worker that is not a task.
pub fn task_state(world: &World, w: &Worker) -> Option<String> {
    if world.tasks == 0 || !is_task(w) {
        return None;
    }
    let thread = w.thread.map_or("?", |t| world.worker_name(t));
    Some(match &w.state {
        WorkerState::Running => format!("running on {thread}"),
        WorkerState::Sleeping { .. } => match frozen_by(world, w) {
            Some(k) if Some(k) == w.thread => format!("frozen: {thread} sleeps, no await"),
            Some(k) => format!("frozen: {} keeps {thread}", world.worker_name(k)),
            None if matches!(w.state, WorkerState::Sleeping { ms: 0 }) => {
                "yielded: awaits sleep 0".into()
            }
            None => format!(
                "awaiting {}",
                super::plain_state(world, w).replacen("sleeping", "sleep", 1)
            ),
        },
        WorkerState::Blocked(_) => {
            format!("awaiting {}", strip_verb(&super::plain_state(world, w)))
        }
        WorkerState::Done {
            how: ExitHow::Panic,
            msg,
        } => match msg {
            Some(m) => format!("failed: {m}"),
            None => "failed".into(),
        },
        _ => super::plain_state(world, w),
    })
}

/// A thread that runs tasks, in words: "running task fetch-3", "idle, all tasks await:
/// sleeping 1s (0.4s left)", "fetch-3 keeps it, no await: sleeping 3s (1.0s left)". `None` for
/// a worker that runs no task.
pub fn thread_state(world: &World, w: &Worker) -> Option<String> {
    if world.tasks == 0 || is_task(w) || !runs_tasks(world, w.id) {
        return None;
    }
    let holder = holder(world, w.id).map(|h| h.name.as_str());
    Some(match (&w.state, holder) {
        (WorkerState::Running, Some(h)) => format!("running task {h}"),
        (WorkerState::Sleeping { .. }, Some(h)) => {
            format!("{h} keeps it, no await: {}", super::plain_state(world, w))
        }
        (WorkerState::Sleeping { .. }, None) => {
            format!("idle, all tasks await: {}", super::plain_state(world, w))
        }
        _ => return None,
    })
}

/// "waiting for lock L" → "lock L", "blocked on get from queue q (empty)" → "get from
/// queue q (empty)": what follows "awaiting".
fn strip_verb(s: &str) -> &str {
    for verb in ["waiting for ", "waiting on ", "blocked on ", "joining "] {
        if let Some(rest) = s.strip_prefix(verb) {
            return rest;
        }
    }
    s
}

/// The words of [`task_state`] and [`thread_state`] for a narrow column, where they
/// differ: "frozen by fetch-3" for a task whose thread another task keeps, "kept by
/// fetch-3" for that thread. Who keeps the thread is the lesson; "no await" is in the log.
pub fn brief(world: &World, w: &Worker) -> Option<String> {
    if world.tasks == 0 {
        return None;
    }
    if is_task(w) {
        let thread = w.thread.map_or("?", |t| world.worker_name(t));
        return match frozen_by(world, w) {
            Some(k) if Some(k) == w.thread => Some(format!("frozen: {thread} sleeps")),
            Some(k) => Some(format!("frozen by {}", world.worker_name(k))),
            None => task_state(world, w),
        };
    }
    match (&w.state, holder(world, w.id)) {
        (WorkerState::Sleeping { .. }, Some(h)) if runs_tasks(world, w.id) => {
            Some(format!("kept by {}", h.name))
        }
        _ => thread_state(world, w),
    }
}

/// A thread's tasks counted by state, in words: "10000 tasks on main: 1 running, 4998
/// awaiting, 5001 done" (states with none left out); without " on main" where `on` is
/// false (a narrow column, one loop's thread).
pub fn census_words(world: &World, thread: crate::event::WorkerId, on: bool) -> String {
    let c = super::super::task::census(world, thread);
    let parts = [
        (c.running, "running"),
        (c.awaiting, "awaiting"),
        (c.not_started, "not started"),
        (c.done, "done"),
        (c.failed, "failed"),
        (c.cancelled, "cancelled"),
        (c.killed, "killed"),
    ];
    let counts: Vec<String> = parts
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, what)| format!("{n} {what}"))
        .collect();
    let on = if on {
        format!(" on {}", world.worker_name(thread))
    } else {
        String::new()
    };
    format!("{} tasks{on}: {}", c.total, counts.join(", "))
}

/// Briefer still, for a column [`brief`]'s words do not fit: what a task awaits, the object
/// named with its kind ("awaits queue finished"), a sleep as "awaits 1.2s more", an idle thread as
/// "idle, tasks await". Who freezes or keeps a thread is said as in [`brief`].
pub fn briefest(world: &World, w: &Worker) -> Option<String> {
    if world.tasks == 0 {
        return None;
    }
    if is_task(w) {
        if frozen_by(world, w).is_some() {
            return brief(world, w);
        }
        return match &w.state {
            WorkerState::Sleeping { ms } if *ms > 0 => {
                let total = ms.saturating_mul(1_000_000);
                let rest = total.saturating_sub(world.t.saturating_sub(w.since));
                Some(format!("awaits {} more", super::left(rest, total)))
            }
            // The object with its kind: a name alone may read as a verb ("awaits
            // finished" for a queue named finished).
            WorkerState::Blocked(wait) => Some(match wait.object() {
                Some(o) => format!("awaits {}", super::object(world, o)),
                None => format!("awaits {}", strip_verb(&super::plain_state(world, w))),
            }),
            _ => brief(world, w),
        };
    }
    match (&w.state, holder(world, w.id)) {
        (WorkerState::Sleeping { .. }, None) if runs_tasks(world, w.id) => {
            Some("idle, tasks await".into())
        }
        _ => brief(world, w),
    }
}
