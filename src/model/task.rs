//! Tasks: coroutines that share one thread. A task is a worker of kind `task` whose
//! declaration names the thread that runs it; it holds that thread while it runs and hands
//! it over only where it awaits. This module reads the world for what that means: which
//! task holds a thread now, which tasks are ready but frozen behind a thread someone keeps,
//! and a task's or a task-running thread's state in words.
//!
//! Must not: change the world (the fold treats tasks as it treats any worker) or keep state
//! of its own. No threads, no clocks, no I/O.

use super::describe;
use super::worker::{Worker, WorkerState};
use super::world::World;
use crate::event::{ExitHow, WorkerId, WorkerKind};

/// True for a task.
pub fn is_task(w: &Worker) -> bool {
    w.kind == WorkerKind::Task
}

/// The tasks that run on `thread`, in lane order.
pub fn tasks_of(world: &World, thread: WorkerId) -> impl Iterator<Item = &Worker> {
    world
        .workers
        .iter()
        .filter(move |w| is_task(w) && w.thread == Some(thread))
}

/// True if some task runs (or ran) on `thread`.
pub fn runs_tasks(world: &World, thread: WorkerId) -> bool {
    tasks_of(world, thread).next().is_some()
}

/// The task that holds `thread` now: the one running (a task runs only while it holds its
/// thread; at an await it stops running and the thread is free for another).
pub fn holder(world: &World, thread: WorkerId) -> Option<&Worker> {
    tasks_of(world, thread).find(|t| matches!(t.state, WorkerState::Running))
}

/// A task that could go on — the sleep it awaited is over — but cannot, because its thread
/// is kept by another task (or sleeps without awaiting): who keeps it.
pub fn frozen_by(world: &World, task: &Worker) -> Option<WorkerId> {
    let thread = task.thread?;
    let WorkerState::Sleeping { ms } = task.state else {
        return None;
    };
    let due = task.since.saturating_add(ms.saturating_mul(1_000_000));
    if world.t <= due {
        return None;
    }
    match holder(world, thread) {
        Some(h) if h.id != task.id => Some(h.id),
        Some(_) => None,
        // No task runs, yet the thread does not come back for this one: it sleeps (a
        // blocking call) — the thread itself keeps it.
        None => world
            .worker(thread)
            .filter(|th| matches!(th.state, WorkerState::Sleeping { .. }))
            .map(|th| th.id),
    }
}

/// How late past its deadline an awaited sleep may end before the task's lane shows the
/// rest of the wait as blocked (a thread kept by another task, not timer slack).
const OVERDUE_NS: u64 = 100_000_000;

/// A task whose awaited sleep ends at `t`, well after it was due: when it was due. Its lane
/// shows it blocked from then on — ready, but its thread was not back (the fold asks).
pub(super) fn overdue(w: &Worker, t: u64) -> Option<u64> {
    let WorkerState::Sleeping { ms } = w.state else {
        return None;
    };
    let due = w.since.saturating_add(ms.saturating_mul(1_000_000));
    (is_task(w) && t > due.saturating_add(OVERDUE_NS)).then_some(due)
}

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
                describe::plain_state(world, w).replacen("sleeping", "sleep", 1)
            ),
        },
        WorkerState::Blocked(_) => {
            format!("awaiting {}", strip_verb(&describe::plain_state(world, w)))
        }
        WorkerState::Done {
            how: ExitHow::Panic,
            msg,
        } => match msg {
            Some(m) => format!("failed: {m}"),
            None => "failed".into(),
        },
        _ => describe::plain_state(world, w),
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
        (WorkerState::Sleeping { .. }, Some(h)) => format!(
            "{h} keeps it, no await: {}",
            describe::plain_state(world, w)
        ),
        (WorkerState::Sleeping { .. }, None) => {
            format!("idle, all tasks await: {}", describe::plain_state(world, w))
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
