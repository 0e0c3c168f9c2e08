//! Run control: the App's only ways to start, stop, pump, pause, step and speed up what it
//! shows. Each goes through the [`Source`] behind the App (a scenario's run, its twin side by
//! side, or a traced program) and asks [`App::controls`] what it can do; nothing else in the
//! App touches a run.
//!
//! A detached App (the recorder's) has no run behind it: `start` resets the view and leaves
//! the plan for the recorder to take ([`App::take_restart`]); its events come from `feed`.

use super::{App, STOP_WITHIN, Twin, next_ops};
use crate::cli::{Plan, fresh_seed};
use crate::event::{Event, Op, WorkerKind};
use crate::model::{History, World};
use crate::runner::Mode;
use crate::scenarios::Config;
use crate::source::{Controls, Item, ScenarioSource, Source};
use crate::view::{RunState, View};
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
fn fold_item(history: Option<&mut History>, world: &mut World, item: Item) {
    match item {
        Item::Event(ev) => {
            if let Some(h) = history {
                h.push(&ev, world);
            }
            world.apply_owned(ev);
        }
        Item::Problem(p) => world.problem(p),
        Item::Output(line) => {
            let text = format!("stderr: {line}");
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
            None => Controls {
                pause: true,
                step: true,
                speed: true,
                restart: true,
                signals: false,
            },
        }
    }

    /// Where the events come from: the scenario's run or the traced program.
    fn source(&self) -> Option<&dyn Source> {
        match (&self.traced, &self.run) {
            (Some(t), _) => Some(&t.source),
            (None, run) => run.as_deref(),
        }
    }

    /// The plan the App runs now.
    fn plan(&self) -> Plan {
        Plan {
            scenario: &self.scenarios[self.current],
            config: self.config.clone(),
            options: self.options,
        }
    }

    /// A seed for a fresh run: a new one live; in a recording the one that follows (the same
    /// on every recording).
    pub(super) fn new_seed(&self) -> u64 {
        if self.detached {
            crate::record::next_seed(self.options.seed)
        } else {
            fresh_seed()
        }
    }

    /// Starts the current scenario afresh with the current config and options.
    pub(super) fn start(&mut self) {
        self.stop_run();
        self.world = World::default();
        self.history = History::new(super::settings::history_len());
        self.cursor = None;
        self.next_ops.clear();
        self.status.scrub = None;
        self.status.mode = self.options.mode;
        self.view = View {
            graph: self.view.graph,
            captions: self.view.captions,
            ..View::default()
        };
        self.options.paused = false;
        self.status.run = RunState::Running;
        self.status.seed = self.options.seed;
        self.dirty = true;
        if self.detached {
            self.restarted = Some(self.plan());
            return;
        }
        let (cfg, main) = (self.config.clone(), self.scenarios[self.current].main);
        let source = ScenarioSource::start(move || main(&cfg), self.options);
        self.run = Some(Box::new(source));
        if self.split {
            self.start_twin();
        }
    }

    /// The current scenario's other version, started with the same seed and options.
    fn start_twin(&mut self) {
        let vs = self.info().variants;
        let i = vs.iter().position(|v| v.name == self.config.variant);
        let Some(other) = i.map(|i| vs[(i + 1) % vs.len()]).filter(|_| vs.len() > 1) else {
            self.split = false;
            return;
        };
        let cfg = Config {
            variant: other.name,
            ..self.config.clone()
        };
        let mut options = self.options;
        if options.mode == Mode::Step {
            options.mode = self.unstepped;
        }
        let (c, main) = (cfg.clone(), self.scenarios[self.current].main);
        self.twin = Some(Twin {
            run: Box::new(ScenarioSource::start(move || main(&c), options)),
            world: World::default(),
            config: cfg,
        });
    }

    /// Ends what runs (both runs side by side, or the traced program) within `STOP_WITHIN`.
    pub fn stop_run(&mut self) {
        if let Some(t) = &mut self.traced {
            t.source.stop(STOP_WITHIN);
        }
        // Both told to stop first, so two runs stop in the time of one.
        if let Some(t) = &self.twin {
            t.run.cancel();
        }
        if let Some(mut run) = self.run.take() {
            run.stop(STOP_WITHIN);
        }
        if let Some(mut t) = self.twin.take() {
            t.run.stop(STOP_WITHIN);
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
            .run
            .drain(FOLD_PER_FRAME, &mut |item| fold_item(None, world, item));
        if self.status.run == RunState::Running {
            t.world.advance(t.run.now());
        }
        n > 0
    }

    /// Whether the twin (if any) has ended too.
    fn twin_finished(&self) -> bool {
        self.twin.as_ref().is_none_or(|t| t.run.is_finished())
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
        let src: &mut dyn Source = match (&mut self.traced, &mut self.run) {
            (Some(t), _) => &mut t.source,
            (None, Some(run)) => run.as_mut(),
            (None, None) => return self.dirty,
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
        if self.status.run == RunState::Running {
            world.advance(src.now());
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
            }
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
            t.run.set_paused(paused);
            t.world.advance(t.run.now());
        }
        self.status.run = if paused {
            RunState::Paused
        } else {
            RunState::Running
        };
    }

    pub(super) fn toggle_step(&mut self) {
        let mode = if self.options.mode == Mode::Step {
            self.unstepped
        } else {
            self.unstepped = self.options.mode;
            Mode::Step
        };
        self.options.mode = mode;
        self.status.mode = mode;
        self.next_ops.clear();
        if let Some(run) = self.source() {
            run.set_mode(mode);
            if self.status.run == RunState::Paused {
                run.set_paused(false);
                self.status.run = RunState::Running;
            }
        }
        let procs = self.has_processes();
        self.flash(match mode {
            // Child processes are not gated (README: how processes are shown).
            Mode::Step if procs => {
                "step mode for this process's threads; child processes run free".into()
            }
            Mode::Step => "step mode: pick a lane, press . to let it do one operation".into(),
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
        let Some(w) = self.world.workers.get(self.view.selected) else {
            return;
        };
        let (id, name) = (w.id, w.name.clone());
        if w.kind == WorkerKind::Process {
            self.flash(format!(
                "{name} is a child process: it runs free, outside the gate"
            ));
            return;
        }
        if let Some(run) = self.source()
            && let Err(why) = run.step(id)
        {
            self.flash(format!("{name} cannot go: {why}"));
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
            t.run.set_speed(SPEEDS[i]);
        }
        self.flash(format!("speed ×{}", SPEEDS[i]));
    }

    /// `r`: a fresh run with a new seed.
    pub(super) fn restart(&mut self) {
        self.options.seed = self.new_seed();
        self.start();
        self.flash("restarted".into());
    }

    /// `R`: the same seed again, seeded.
    pub(super) fn replay(&mut self) {
        if self.options.mode == Mode::Free {
            self.options.mode = Mode::Seeded;
            self.unstepped = Mode::Seeded;
        }
        self.start();
        self.flash(format!("replaying seed {}", self.options.seed));
    }

    /// Side by side on or off (it restarts both from the start).
    pub(super) fn toggle_split(&mut self) {
        if !self.split && self.info().variants.len() < 2 {
            self.flash("this scenario has one version: nothing to put beside it".into());
            return;
        }
        if self.options.mode == Mode::Step {
            self.toggle_step();
        }
        self.split = !self.split;
        self.start();
        self.flash(if self.split {
            "side by side: both versions, same seed (b returns to one)".into()
        } else {
            "one version".into()
        });
    }

    pub(super) fn switch_to(&mut self, i: usize) {
        self.current = i % self.scenarios.len();
        self.config = Config::default_for(self.info());
        self.param = 0;
        self.options.seed = self.new_seed();
        self.start();
        self.flash(format!("scenario: {}", self.info().name));
    }

    pub(super) fn next_variant(&mut self) {
        let vs = self.info().variants;
        if vs.is_empty() {
            self.flash("this scenario has one version".into());
            return;
        }
        let i = vs
            .iter()
            .position(|v| v.name == self.config.variant)
            .unwrap_or(0);
        let v = vs[(i + 1) % vs.len()];
        self.config.variant = v.name;
        self.start();
        self.flash(format!("version: {}", v.label));
    }

    pub(super) fn change_param(&mut self, up: bool) {
        let Some(p) = self
            .info()
            .param_at(self.config.variant, self.param)
            .copied()
        else {
            self.flash("this scenario has no parameter".into());
            return;
        };
        let Some(slot) = self.config.params.iter_mut().find(|(n, _)| *n == p.name) else {
            return;
        };
        let v = (slot.1 + if up { 1 } else { -1 }).clamp(p.min, p.max);
        if v == slot.1 {
            self.flash(format!("{} stays within {}..={}", p.name, p.min, p.max));
            return;
        }
        slot.1 = v;
        self.start();
        self.flash(format!("{} = {v}", p.name));
    }
}
