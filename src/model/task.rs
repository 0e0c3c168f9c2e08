//! Tasks: coroutines that share one thread. A task is a worker of kind `task` whose
//! declaration names the thread that runs it; it holds that thread while it runs and hands
//! it over only where it awaits. This module reads the world for what that means: which
//! task holds a thread now, which tasks are ready but frozen behind a thread someone keeps,
//! and a task's or a task-running thread's state in words.
//!
//! Must not: change the world (the fold treats tasks as it treats any worker) or keep state
//! of its own. No threads, no clocks, no I/O.

use super::worker::{Worker, WorkerState};
use super::world::World;
use crate::event::{ExitHow, WorkerId, WorkerKind};
use std::collections::VecDeque;

/// Sleeps of a thread that runs tasks, by what they mean for its loop. Kept by the event's
/// number (as [`super::cause::Causes::by_event`]) so the log can say it of a line long
/// after: "sleeps 3s in fetch-3 (blocks the loop)".
#[derive(Clone, Debug, Default)]
pub struct Blocking {
    /// (the sleep's number, the task that held the thread when it began).
    recent: VecDeque<(u64, WorkerId)>,
}

impl Blocking {
    /// As many as the log keeps lines, at most: older ones are no longer shown.
    const KEPT: usize = 4096;

    pub fn note(&mut self, n: u64, task: WorkerId) {
        if self.recent.len() == Self::KEPT {
            self.recent.pop_front();
        }
        self.recent.push_back((n, task));
    }

    /// The task whose thread the `n`th event, a sleep of that thread, blocked: a blocking
    /// call inside a coroutine (`time.sleep`, not `await asyncio.sleep`).
    pub fn by_event(&self, n: u64) -> Option<WorkerId> {
        let i = self.recent.binary_search_by_key(&n, |(k, _)| *k).ok()?;
        Some(self.recent[i].1)
    }
}

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

/// How many of a thread's tasks are in each state: the lanes' summary of a thread whose
/// tasks are more than the panel shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Census {
    pub total: usize,
    pub not_started: usize,
    pub running: usize,
    /// Awaiting a sleep, a lock, a queue, an event or another task.
    pub awaiting: usize,
    pub done: usize,
    /// Raised.
    pub failed: usize,
    pub cancelled: usize,
    /// Ended from outside (destroyed pending when its loop closed), drawn † as a lane.
    pub killed: usize,
}

/// The tasks of `thread`, counted by state (one pass over the workers).
pub fn census(world: &World, thread: WorkerId) -> Census {
    let mut c = Census::default();
    for t in tasks_of(world, thread) {
        c.total += 1;
        match &t.state {
            WorkerState::New => c.not_started += 1,
            WorkerState::Running => c.running += 1,
            WorkerState::Sleeping { .. } | WorkerState::Blocked(_) => c.awaiting += 1,
            WorkerState::Done { how, .. } => match how {
                ExitHow::Ok => c.done += 1,
                ExitHow::Cancelled => c.cancelled += 1,
                ExitHow::Panic => c.failed += 1,
                ExitHow::Killed => c.killed += 1,
            },
        }
    }
    c
}

/// The thread whose tasks a lane belongs with: a task's thread, or the lane itself.
pub fn thread_of(w: &Worker) -> WorkerId {
    if is_task(w) {
        w.thread.unwrap_or(w.id)
    } else {
        w.id
    }
}
