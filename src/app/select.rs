//! Which lane is selected: ↑ ↓ move it, tab moves it to the next worker that can go, and in
//! step mode the App moves it for the user after a step that left the selected worker
//! unable to go (and on entering step mode), so `.` always has someone to step.
//!
//! The move waits until the step is over: right after `.` the gate still lists the stepped
//! worker as it was (ready), then not at all while its operation runs; only when it is back
//! at the gate, or gone, does its readiness say anything.

use super::App;
use crate::event::{WorkerId, WorkerKind};
use crate::model::task;
use crate::runner::Mode;
use crate::ui::lanes::{self, Row};

/// A move of the selection the App owes the user, once the step in flight is over.
#[derive(Clone, Copy, Debug)]
pub(super) struct Reselect {
    /// The worker just stepped, and how many events the run had when it was (its step is
    /// over once an event of its own has come since and it is back at the gate).
    pub stepped: Option<(WorkerId, u64)>,
}

impl App {
    pub(super) fn select(&mut self, by: isize) {
        // The user chose: the App owes no move any more.
        self.reselect = None;
        // Over the lanes drawn: a folded thread's tasks are passed over.
        let lanes: Vec<usize> = self
            .rows()
            .into_iter()
            .filter_map(|r| match r {
                Row::Lane(i) => Some(i),
                Row::Tasks(_) | Row::Ended => None,
            })
            .collect();
        let Some(at) = lanes.iter().position(|&i| i == self.view.selected) else {
            return;
        };
        let s = (at as isize + by).clamp(0, lanes.len() as isize - 1);
        self.view.selected = lanes[s as usize];
    }

    /// The lanes panel's rows as the last frame drew them (the world on screen).
    fn rows(&self) -> Vec<Row> {
        let world = self.shown_world();
        let folded = lanes::folded(world, &self.view, self.lane_rows.get());
        let selected = self
            .view
            .selected
            .min(world.workers.len().saturating_sub(1));
        lanes::row_list(world, &folded, selected)
    }

    /// `t`: the selected lane's thread has its tasks folded into one row, or shown again.
    /// Folding from one of its tasks selects the thread, whose lane stays.
    pub(super) fn toggle_tasks(&mut self) {
        let world = self.shown_world();
        let Some(w) = world.workers.get(self.view.selected) else {
            return;
        };
        let thread = task::thread_of(w);
        if !task::runs_tasks(world, thread) {
            self.flash("t folds a thread's tasks: select a thread that runs tasks".into());
            return;
        }
        let fold = !lanes::folded(world, &self.view, self.lane_rows.get()).contains(&thread);
        let lane = world.workers.iter().position(|x| x.id == thread);
        self.view.folds.retain(|(t, _)| *t != thread);
        self.view.folds.push((thread, fold));
        if fold && let Some(i) = lane {
            self.view.selected = i;
        }
    }

    /// Selects the next lane (after the selected one, wrapping) whose worker can go.
    pub(super) fn next_ready(&mut self) {
        if self.options.mode != Mode::Step {
            // Outside step mode nobody waits to be picked: say how to get there.
            self.flash("tab picks who goes in step mode: press s first".into());
            return;
        }
        self.reselect = None;
        match self.next_ready_lane() {
            Some(i) => self.view.selected = i,
            None => self.flash("no worker can go now".into()),
        }
    }

    /// The next lane after the selected one (wrapping, itself last) whose worker can go.
    fn next_ready_lane(&self) -> Option<usize> {
        let n = self.world.workers.len();
        let ready = |i: usize| {
            let id = self.world.workers[i].id;
            self.next_ops.iter().any(|x| x.w == id && x.ready)
        };
        (1..=n)
            .map(|k| (self.view.selected + k) % n)
            .find(|&i| ready(i))
    }

    /// Step mode: the selection is to move to a worker that can go if, once the step in
    /// flight (if any) is over, the selected one cannot.
    pub(super) fn owe_reselect(&mut self, stepped: Option<WorkerId>) {
        let at = self.history.end();
        self.reselect = Some(Reselect {
            stepped: stepped.map(|w| (w, at)),
        });
    }

    /// Pays the move owed, if the moment has come: the selected worker is settled (back at
    /// the gate after its step, ended, or never gated) and cannot go, and another can.
    pub(super) fn settle_selection(&mut self) {
        let Some(owed) = self.reselect else {
            return;
        };
        // No lane there yet (a traced program before its first event): still owed.
        let Some(w) = self.world.workers.get(self.view.selected) else {
            return;
        };
        let (id, gone) = (w.id, w.is_done() || w.kind == WorkerKind::Process);
        // Waiting for real (a condition, a barrier): at no gate, no step moves it.
        let waits = w.blocked_on().is_some();
        let hint = self.next_ops.iter().find(|n| n.w == id);
        let can_go = match hint {
            Some(h) => h.ready,
            None if gone || waits => false,
            // Still running its step (or not arrived yet): wait.
            None => return,
        };
        if can_go {
            // A ready hint may be the one from before the step: wait for the step's event.
            let stale = owed
                .stepped
                .is_some_and(|(w, at)| w == id && !self.has_event_since(w, at));
            if !stale {
                self.reselect = None;
            }
            return;
        }
        if let Some(i) = self.next_ready_lane() {
            self.view.selected = i;
            self.reselect = None;
            self.dirty = true;
        }
    }

    /// Whether worker `w` did anything after the run's first `at` events.
    fn has_event_since(&self, w: WorkerId, at: u64) -> bool {
        (at..self.history.end()).any(|i| self.history.event(i).is_some_and(|e| e.w == w))
    }
}
