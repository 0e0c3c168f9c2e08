//! Run control: the App's ways to stop, pump, pause, step and speed up what it shows. Each
//! goes through the [`Source`](crate::source::Source) behind the App (and its twin's, side
//! by side) and asks [`App::controls`] what it can do; nothing else in the App touches a run
//! but `restart.rs`, which starts one.
//!
//! A detached App (the recorder's) has no run behind it; its events come from `feed`.

use super::{App, STOP_WITHIN};
use crate::event::WorkerId;
use crate::event::{Event, Op, WorkerKind};
use crate::model::WorkerState;
use crate::model::{History, World, describe};
use crate::runner::{Mode, Parked, StepError};
use crate::source::{Controls, Item};
use crate::view::{NextOp, RunState};
use std::time::{Duration, Instant};

/// Longest the model folds between two frames (3 % of a core at 30 fps), so a flood never
/// starves the keys or the core: a run that makes events faster waits for the viewer (see
/// `probe::sink`). With the frame itself (about 5 % on `stress`) the UI thread stays under a
/// tenth of a core however busy the run; 1 ms still folds several thousand events, more than
/// any teaching scenario makes in a second.
const FOLD_PER_FRAME: Duration = Duration::from_millis(1);

const SPEEDS: &[f64] = &[0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 10.0];

/// Folds one item of a source into `world` (and the scrub `history`, if kept). A line the
/// program wrote to stderr goes in the log as its first lane's line.
pub(super) fn fold_item(history: Option<&mut History>, world: &mut World, item: Item) {
    match item {
        Item::Event(ev) => {
            if let Some(h) = history {
                h.push(&ev, world);
            }
            world.apply_owned(ev);
        }
        Item::Problem(p) => world.problem(p),
        Item::Gap => world.gap(),
        Item::Output { line, err } => {
            use crate::model::describe::{STDERR, STDOUT};
            let text = format!("{}{line}", if err { STDERR } else { STDOUT });
            let ev = Event {
                t: world.t,
                pid: 0,
                w: 0,
                op: Op::Say { text },
            };
            fold_item(history, world, Item::Event(ev));
        }
    }
}

impl App {
    /// What the source behind the App lets the viewer do.
    /// Without a source yet (the picker, a detached App), a scenario's: it can be started.
    pub fn controls(&self) -> Controls {
        match self.source() {
            Some(s) => s.controls(),
            None => Controls::SCENARIO,
        }
    }

    /// Ends what runs (both runs side by side) within `STOP_WITHIN`. The source stays, ended,
    /// until another takes its place: how it ended is still its to tell.
    pub fn stop_run(&mut self) {
        // Both told to stop first, so two runs stop in the time of one.
        if let Some(t) = &self.twin {
            t.source.cancel();
        }
        if let Some(source) = &mut self.source {
            source.stop(STOP_WITHIN);
        }
        if let Some(mut t) = self.twin.take() {
            t.source.stop(STOP_WITHIN);
        }
    }

    /// Folds what the twin sent; true if anything came.
    fn pump_twin(&mut self) -> bool {
        let Some(t) = &mut self.twin else {
            return false;
        };
        // The same budget as the app's own run: two runs, at most twice the fold time.
        let world = &mut t.world;
        let n = t
            .source
            .drain(FOLD_PER_FRAME, &mut |item| fold_item(None, world, item));
        if self.status.run == RunState::Running {
            t.world.advance(t.source.now());
        }
        n > 0
    }

    /// Whether the twin (if any) has ended too.
    fn twin_finished(&self) -> bool {
        self.twin.as_ref().is_none_or(|t| t.source.is_finished())
    }

    /// Folds what the source has sent since the last call. Returns true if anything changed.
    pub fn pump(&mut self) -> bool {
        if self.flash_until.is_some_and(|t| Instant::now() >= t) {
            self.flash_until = None;
            self.status.flash = None;
            self.dirty = true;
        }
        let twin_moved = self.pump_twin();
        let twin_done = self.twin_finished();
        let controls = self.controls();
        let Some(src) = self.source.as_deref_mut() else {
            return self.dirty;
        };
        let (history, world) = (&mut self.history, &mut self.world);
        // A source that cannot pause goes on while the view is frozen: its items wait.
        let frozen = self.status.run == RunState::Paused && !controls.pause;
        let mut n = usize::from(twin_moved);
        if !frozen {
            n += src.drain(FOLD_PER_FRAME, &mut |item| {
                fold_item(Some(&mut *history), world, item)
            });
        }
        let dropped = src.dropped();
        if dropped != self.status.dropped {
            self.status.dropped = dropped;
            self.dirty = true;
        }
        if self.status.run == RunState::Running {
            world.advance(src.now());
            if self.memory.read_into(world) {
                self.dirty = true;
            }
            if src.is_finished() && twin_done {
                self.status.run = RunState::Finished;
                self.dirty = true;
                // A run that cannot start again says how it ended, and stays said.
                if !controls.restart {
                    let code = src.exit_status().map_or("?".into(), |c| c.to_string());
                    self.status.flash =
                        Some(format!("the program ended: exit status {code}; q quits"));
                    self.flash_until = None;
                }
            }
        }
        if self.options.mode == Mode::Step {
            let next = next_ops(world, &src.parked());
            if next != self.next_ops {
                self.next_ops = next;
                self.dirty = true;
                // What the workers did after the scrubbed moment may just have happened.
                self.rescrub();
            }
            self.settle_selection();
        }
        n > 0 || self.dirty
    }

    /// Pauses or resumes: the run itself if the source can pause, else only the view (a
    /// traced program goes on; its events wait).
    pub(super) fn toggle_pause(&mut self) {
        let paused = match self.status.run {
            RunState::Running => true,
            RunState::Paused => false,
            RunState::Finished => return,
        };
        if let Some(src) = self.source() {
            src.set_paused(paused);
            let now = src.now();
            self.world.advance(now);
        }
        if let Some(t) = &mut self.twin {
            t.source.set_paused(paused);
            t.world.advance(t.source.now());
        }
        self.status.run = if paused {
            RunState::Paused
        } else {
            // The run goes on, and so does the screen: resuming leaves the scrub.
            self.leave_scrub();
            RunState::Running
        };
    }

    pub(super) fn toggle_step(&mut self) {
        let over = self.status.run == RunState::Finished && self.controls().restart;
        if over && self.options.mode != Mode::Step {
            // Nobody is left to step in a run that is over: it runs again, stepping.
            self.unstepped = self.options.mode;
            self.options.mode = Mode::Step;
            self.options.seed = self.new_seed();
            self.start();
            self.flash("again, in step mode: pick a lane; . does one operation".into());
            return;
        }
        let mode = if self.options.mode == Mode::Step {
            self.unstepped
        } else {
            self.unstepped = self.options.mode;
            Mode::Step
        };
        self.options.mode = mode;
        self.status.mode = mode;
        self.next_ops.clear();
        // One moment at a time: the hints under a scrub cursor were made for the mode left,
        // and a run let go again must show now, not a frozen past.
        self.leave_scrub();
        self.reselect = None;
        if mode == Mode::Step {
            self.owe_reselect(None);
        }
        if let Some(run) = self.source() {
            run.set_mode(mode);
            if self.status.run == RunState::Paused {
                run.set_paused(false);
                self.status.run = RunState::Running;
            }
        }
        let procs = self.has_processes() && !self.controls().children_stepped;
        self.flash(match mode {
            // Child processes are not gated (README: how processes are shown).
            // Short: the flash shares the status line at 80 columns.
            Mode::Step if procs => "step mode: child processes run free".into(),
            Mode::Step => "step mode: pick a lane; . does one operation".into(),
            Mode::Free => "free: the OS schedules".into(),
            Mode::Seeded => format!("seeded: seed {} schedules", self.options.seed),
        });
    }

    fn has_processes(&self) -> bool {
        self.world
            .workers
            .iter()
            .any(|w| w.kind == WorkerKind::Process)
    }

    /// Step mode: the selected worker does its next operation, or we say why it cannot.
    pub(super) fn step(&mut self) {
        if self.options.mode != Mode::Step {
            self.flash("press s for step mode first".into());
            return;
        }
        // One moment at a time: a step happens now, so the screen comes back to now.
        self.leave_scrub();
        let Some(w) = self.world.workers.get(self.view.selected) else {
            return;
        };
        let (id, name) = (w.id, w.name.clone());
        if w.is_done() {
            // Not "not waiting at the gate": it will never come to one again.
            self.flash(format!("{name} has finished"));
            return;
        }
        // A scenario's child processes run free; a traced program's wait at their gates.
        let gated = self
            .source()
            .is_some_and(|s| s.parked().iter().any(|p| p.w == id));
        if w.kind == WorkerKind::Process && !gated {
            self.flash(format!(
                "{name} is a child process: it runs free, outside the gate"
            ));
            return;
        }
        let stepped = match self.source() {
            Some(run) => run.step(id),
            None => return,
        };
        match stepped {
            Ok(()) => self.owe_reselect(Some(id)),
            Err(why) => {
                let waits = matches!(why, StepError::NotAtGate) && w.blocked_on().is_some();
                let why = self.why_not(id, why);
                self.flash(format!("{name} can't go: {why}"));
                if waits {
                    // It is at no gate, so no step will move it: the next that can go
                    // is selected, as after a step that leaves the selected one stuck.
                    self.owe_reselect(None);
                }
            }
        }
    }

    /// Why worker `w` cannot go, in the words its lane gives (what it waits for, and who
    /// holds that) where the world knows them, else the gate's own.
    fn why_not(&self, w: WorkerId, why: StepError) -> String {
        let blocked = self
            .world
            .worker(w)
            .filter(|x| matches!(x.state, WorkerState::Blocked(_)));
        // A traced thread waits before its operation begins: its source says why.
        let told = || {
            let parked = self.source()?.parked();
            parked.into_iter().find(|p| p.w == w)?.why
        };
        match (why, blocked) {
            (StepError::Blocked, Some(x)) => describe::state(&self.world, x),
            (StepError::Blocked, None) => told().unwrap_or_else(|| why.to_string()),
            // Waiting for real (a condition, a barrier, a lock taken before step mode):
            // it is at no gate, and goes on by itself once what it waits for comes.
            (StepError::NotAtGate, Some(x)) => {
                format!(
                    "{} (goes on when woken)",
                    describe::brief_state(&self.world, x)
                )
            }
            _ => why.to_string(),
        }
    }

    pub(super) fn change_speed(&mut self, faster: bool) {
        let i = SPEEDS
            .iter()
            .position(|s| *s >= self.status.speed)
            .unwrap_or(SPEEDS.len() - 1);
        let i = if faster {
            (i + 1).min(SPEEDS.len() - 1)
        } else {
            i.saturating_sub(1)
        };
        self.status.speed = SPEEDS[i];
        self.options.speed = SPEEDS[i];
        if let Some(run) = self.source() {
            run.set_speed(SPEEDS[i]);
        }
        if let Some(t) = &self.twin {
            t.source.set_speed(SPEEDS[i]);
        }
        self.flash(format!("speed ×{}", SPEEDS[i]));
    }
}

/// What each parked worker will do next, in words, for the lanes in step mode.
fn next_ops(world: &World, parked: &[Parked]) -> Vec<NextOp> {
    parked
        .iter()
        .map(|p| {
            let what = describe::next_op(world, p.next.op, p.next.o);
            // A traced program says where: "next: acquire lock balance_lock  bank.py:14".
            let what = match &p.at {
                Some(at) => format!("{what}  {at}"),
                None => what,
            };
            // Briefer for a narrow lane: the object by its name alone, and of the place
            // only its line ("acquire balance_lock :14").
            let bare = describe::next_op_bare(world, p.next.op, p.next.o);
            let line =
                p.at.as_deref()
                    .and_then(|at| at.rsplit_once(':'))
                    .map(|(_, n)| n);
            let (text, brief) = match (p.ready, p.wake_at) {
                (true, _) => (
                    format!("next: {what}"),
                    // The lane's ┈ says it waits at its gate: "next" can go.
                    Some(match line {
                        Some(n) => format!("{bare} :{n}"),
                        None => bare.clone(),
                    }),
                ),
                (false, Some(t)) => (format!("next: wake up (due {})", describe::secs(t)), None),
                // A traced thread waits before it begins: the world does not show it blocked.
                (false, None) => match world.worker(p.w).filter(|w| w.blocked_on().is_some()) {
                    Some(w) => (describe::cant_go(world, w), None),
                    None => (
                        format!("can't go yet: {what}"),
                        Some(format!("can't go: {bare}")),
                    ),
                },
            };
            NextOp {
                w: p.w,
                text,
                ready: p.ready || p.wake_at.is_some(),
                brief,
            }
        })
        .collect()
}
