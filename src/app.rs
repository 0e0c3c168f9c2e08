//! app: the loop. Terminal input becomes an `Action`; `update` changes the state; runner
//! events are folded into the model; a frame is drawn at a steady rate while something
//! moves, and only on change while paused.

use crate::cli::{Plan, fresh_seed};
use crate::event::Event;
use crate::keys::{self, Action};
use crate::model::{History, World, describe};
use crate::probe::{self, Events};
use crate::record::live::LiveCast;
use crate::runner::{Mode, Parked};
use crate::runner::{Options, Run};
use crate::scenarios::{self, Config, Info, Scenario};
use crate::ui::{self, Hint, NextOp, Picker, RunState, Screen, Status, Theme, View};
use crossterm::event::{self, Event as TermEvent, KeyEventKind};
use ratatui::{DefaultTerminal, Frame};
use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

mod traced;
pub use traced::main_traced;

/// Frames per second while the run moves.
const FPS: u64 = 30;
/// Longest the model folds between two frames (3 % of a core at 30 fps), so a flood never
/// starves the keys or the core: a run that makes events faster waits for the viewer (see
/// `probe::sink`). With the frame itself (about 5 % on `stress`) the UI thread stays under a
/// tenth of a core however busy the run; 1 ms still folds several thousand events, more than
/// any teaching scenario makes in a second.
const FOLD_PER_FRAME: Duration = Duration::from_millis(1);

/// How long a run may take to stop on restart or quit before we move on without it.
const STOP_WITHIN: Duration = Duration::from_millis(400);
const SPEEDS: &[f64] = &[0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 10.0];
/// Events kept for scrubbing by default (the cursor reaches back at least half of this);
/// `THREADLANES_HISTORY=N` sets it.
const HISTORY: usize = 200_000;

/// The scrub history's length: `THREADLANES_HISTORY` if it is a number of at least 1,000,
/// else the default. Longer reaches further back and costs memory (about 100 bytes an event,
/// plus two or three copies of the world).
fn history_len() -> usize {
    history_setting().unwrap_or(HISTORY)
}

/// `THREADLANES_HISTORY` as set: None if unset, Err with what is wrong if unusable.
fn history_setting() -> Result<usize, String> {
    let v = std::env::var("THREADLANES_HISTORY").map_err(|_| String::new())?;
    v.trim()
        .parse::<usize>()
        .ok()
        .filter(|&n| n >= 1_000)
        .ok_or_else(|| {
            format!("THREADLANES_HISTORY={v} ignored: a number of events, at least 1000")
        })
}

pub struct App {
    scenarios: &'static [Scenario],
    infos: Vec<Info>,
    current: usize,
    config: Config,
    options: Options,
    run: Option<Run>,
    pub world: World,
    /// Every event of the run (bounded), for scrubbing.
    history: History,
    /// Scrubbing: how many events of the run the shown world has folded, and that world.
    cursor: Option<(u64, World)>,
    /// The mode to go back to when step mode is turned off.
    unstepped: Mode,
    next_ops: Vec<NextOp>,
    pub status: Status,
    pub view: View,
    picker: Option<usize>,
    /// Which parameter `[`/`]` change.
    param: usize,
    flash_until: Option<Instant>,
    pub quit: bool,
    theme: Theme,
    /// Something changed since the last frame.
    dirty: bool,
    /// The event source when it is a traced program rather than a scenario (src/trace).
    traced: Option<traced::Traced>,
    /// Side by side (`b`): the other version runs too, beside this one.
    split: bool,
    twin: Option<Twin>,
}

/// The second run of side by side: the scenario's other version, with its own world.
struct Twin {
    run: Run,
    world: World,
    config: Config,
}

impl App {
    /// With a plan: straight into that scenario; without: the picker.
    pub fn new(plan: Option<Plan>) -> App {
        let scenarios = scenarios::all();
        let (current, config, options, picker) = match plan {
            Some(p) => {
                let i = scenarios
                    .iter()
                    .position(|s| s.info.name == p.scenario.info.name)
                    .unwrap_or(0);
                (i, p.config, p.options, None)
            }
            None => (
                0,
                Config::default_for(&scenarios[0].info),
                Options {
                    seed: fresh_seed(),
                    ..Options::default()
                },
                Some(0),
            ),
        };
        let mut app = App {
            scenarios,
            infos: scenarios::infos(),
            current,
            config,
            status: Status {
                run: RunState::Running,
                speed: options.speed,
                seed: options.seed,
                mode: options.mode,
                scrub: None,
                flash: None,
            },
            options,
            run: None,
            world: World::default(),
            history: History::new(history_len()),
            cursor: None,
            unstepped: if options.mode == Mode::Step {
                Mode::Free
            } else {
                options.mode
            },
            next_ops: Vec::new(),
            view: View::default(),
            picker,
            param: 0,
            flash_until: None,
            quit: false,
            theme: Theme::detect(),
            dirty: true,
            traced: None,
            split: false,
            twin: None,
        };
        if app.picker.is_none() {
            app.start();
        }
        if let Err(why) = history_setting()
            && !why.is_empty()
        {
            app.flash(why);
        }
        app
    }

    /// Step mode: what each parked worker will do next.
    pub fn next_ops(&self) -> &[NextOp] {
        &self.next_ops
    }

    /// The world on screen: the live one, or the one under the scrub cursor.
    pub fn shown_world(&self) -> &World {
        self.cursor.as_ref().map_or(&self.world, |c| &c.1)
    }

    /// Side by side: the other version's world, beside the app's own.
    pub fn twin_world(&self) -> Option<&World> {
        self.twin.as_ref().map(|t| &t.world)
    }

    /// The flash message now showing, if any.
    pub fn flash_text(&self) -> Option<&str> {
        self.status.flash.as_deref()
    }

    fn info(&self) -> &'static Info {
        if let Some(t) = &self.traced {
            return t.info;
        }
        &self.scenarios[self.current].info
    }

    /// Starts the current scenario afresh with the current config and options.
    fn start(&mut self) {
        self.stop_run();
        self.world = World::default();
        self.history = History::new(history_len());
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
        let cfg = self.config.clone();
        let main = self.scenarios[self.current].main;
        self.run = Some(Run::start(move || main(&cfg), self.options));
        self.dirty = true;
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
        let main = self.scenarios[self.current].main;
        let c = cfg.clone();
        let mut options = self.options;
        if options.mode == Mode::Step {
            options.mode = self.unstepped;
        }
        self.twin = Some(Twin {
            run: Run::start(move || main(&c), options),
            world: World::default(),
            config: cfg,
        });
    }

    fn stop_run(&mut self) {
        if let Some(t) = &mut self.traced {
            t.trace.stop(STOP_WITHIN);
        }
        // Both told to stop first, so two runs stop in the time of one.
        if let Some(t) = &self.twin {
            t.run.session().cancel();
        }
        if let Some(mut run) = self.run.take() {
            run.stop(STOP_WITHIN);
        }
        if let Some(mut t) = self.twin.take() {
            t.run.stop(STOP_WITHIN);
        }
    }

    /// Side by side on or off (it restarts both from the start).
    fn toggle_split(&mut self) {
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

    /// Folds what the twin sent; true if anything came.
    fn pump_twin(&mut self) -> bool {
        let Some(t) = &mut self.twin else {
            return false;
        };
        // The same budget as the app's own run: two runs, at most twice the fold time.
        let world = &mut t.world;
        let n = fold_for(t.run.events(), |ev| world.apply_owned(ev));
        if self.status.run == RunState::Running {
            t.world.advance(t.run.now());
        }
        n > 0
    }

    /// Whether the twin (if any) has ended too.
    fn twin_finished(&self) -> bool {
        self.twin
            .as_ref()
            .is_none_or(|t| t.run.is_finished() && t.run.events().is_empty())
    }

    fn switch_to(&mut self, i: usize) {
        self.current = i % self.scenarios.len();
        self.config = Config::default_for(self.info());
        self.param = 0;
        self.options.seed = fresh_seed();
        self.start();
        self.flash(format!("scenario: {}", self.info().name));
    }

    fn flash(&mut self, text: String) {
        self.status.flash = Some(text);
        self.flash_until = Some(Instant::now() + Duration::from_secs(2));
        self.dirty = true;
    }

    /// Folds what the run has sent since the last call. Returns true if anything changed.
    pub fn pump(&mut self) -> bool {
        if self.traced.is_some() {
            return self.pump_traced();
        }
        let twin_moved = self.pump_twin();
        let twin_done = self.twin_finished();
        let Some(run) = &self.run else {
            return self.dirty;
        };
        let (history, world) = (&mut self.history, &mut self.world);
        let n = usize::from(twin_moved)
            + fold_for(run.events(), |ev| {
                history.push(&ev, world);
                world.apply_owned(ev);
            });
        if self.status.run == RunState::Running {
            self.world.advance(run.now());
            if run.is_finished() && run.events().is_empty() && twin_done {
                self.status.run = RunState::Finished;
                self.dirty = true;
            }
        }
        if self.options.mode == Mode::Step {
            let next = next_ops(&self.world, &run.parked());
            if next != self.next_ops {
                self.next_ops = next;
                self.dirty = true;
            }
        }
        if self.flash_until.is_some_and(|t| Instant::now() >= t) {
            self.flash_until = None;
            self.status.flash = None;
            self.dirty = true;
        }
        n > 0 || self.dirty
    }

    pub fn update(&mut self, action: Action) {
        self.dirty = true;
        if self.traced.is_some() {
            self.update_traced(action);
            return;
        }
        if let Some(sel) = self.picker {
            self.update_picker(action, sel);
            return;
        }
        if self.split && !works_side_by_side(action) {
            self.flash("side by side: press b to return to one version first".into());
            return;
        }
        match action {
            Action::Quit => self.quit = true,
            Action::Back if self.view.help || self.view.details => {
                self.view.help = false;
                self.view.details = false;
            }
            Action::Back => self.quit = true,
            Action::ToggleHelp => self.view.help = !self.view.help,
            Action::TogglePause => self.toggle_pause(),
            Action::Faster | Action::Slower => self.change_speed(action == Action::Faster),
            Action::NextScenario => self.switch_to(self.current + 1),
            Action::PrevScenario => self.switch_to(self.current + self.scenarios.len() - 1),
            Action::Restart => {
                self.options.seed = fresh_seed();
                self.start();
                self.flash("restarted".into());
            }
            Action::Replay => {
                if self.options.mode == Mode::Free {
                    self.options.mode = Mode::Seeded;
                    self.unstepped = Mode::Seeded;
                }
                self.start();
                self.flash(format!("replaying seed {}", self.options.seed));
            }
            Action::ToggleStep => self.toggle_step(),
            Action::Step => self.step(),
            Action::NextReady => self.next_ready(),
            Action::Left => self.scrub(-1),
            Action::Right if self.cursor.is_none() && self.options.mode == Mode::Step => {
                self.step()
            }
            Action::Right => self.scrub(1),
            Action::ToggleVariant => self.next_variant(),
            Action::ParamUp | Action::ParamDown => self.change_param(action == Action::ParamUp),
            Action::NextParam => {
                let (info, v) = (self.info(), self.config.variant);
                self.param = (self.param + 1) % info.params.len().max(1);
                let msg = match info.param_at(v, self.param) {
                    None => "this scenario has no parameter".to_string(),
                    Some(p) if info.params_for(v).count() == 1 => {
                        format!("{} is its only parameter", p.name)
                    }
                    Some(p) => format!("[ ] now change {}: {}", p.name, p.help),
                };
                self.flash(msg);
            }
            Action::Up => self.select(-1),
            Action::Down => self.select(1),
            Action::PageUp => self.view.object_scroll = self.view.object_scroll.saturating_sub(5),
            Action::PageDown => self.view.object_scroll += 5,
            Action::Enter => self.view.details = !self.view.details,
            Action::ToggleGraph => self.view.graph = !self.view.graph,
            Action::ToggleCaptions => self.view.captions = !self.view.captions,
            Action::ToggleSplit => self.toggle_split(),
            Action::Picker => {
                self.split = false;
                self.stop_run();
                self.picker = Some(self.current);
            }
        }
    }

    fn update_picker(&mut self, action: Action, sel: usize) {
        let n = self.scenarios.len();
        match action {
            Action::Quit | Action::Back => self.quit = true,
            Action::Up => self.picker = Some((sel + n - 1) % n),
            Action::Down => self.picker = Some((sel + 1) % n),
            Action::Enter => {
                self.picker = None;
                self.switch_to(sel);
            }
            _ => {}
        }
    }

    fn toggle_pause(&mut self) {
        let paused = match self.status.run {
            RunState::Running => true,
            RunState::Paused => false,
            RunState::Finished => return,
        };
        if let Some(run) = &self.run {
            run.set_paused(paused);
            self.world.advance(run.now());
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

    fn toggle_step(&mut self) {
        let mode = if self.options.mode == Mode::Step {
            self.unstepped
        } else {
            self.unstepped = self.options.mode;
            Mode::Step
        };
        self.options.mode = mode;
        self.status.mode = mode;
        self.next_ops.clear();
        if let Some(run) = &self.run {
            run.set_mode(mode);
            if self.status.run == RunState::Paused {
                run.set_paused(false);
                self.status.run = RunState::Running;
            }
        }
        let procs = self
            .world
            .workers
            .iter()
            .any(|w| w.kind == crate::event::WorkerKind::Process);
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

    /// Step mode: the selected worker does its next operation, or we say why it cannot.
    fn step(&mut self) {
        if self.options.mode != Mode::Step {
            self.flash("press s for step mode first".into());
            return;
        }
        let Some(w) = self.world.workers.get(self.view.selected) else {
            return;
        };
        let (id, name) = (w.id, w.name.clone());
        if w.kind == crate::event::WorkerKind::Process {
            self.flash(format!(
                "{name} is a child process: it runs free, outside the gate"
            ));
            return;
        }
        if let Some(run) = &self.run
            && let Err(why) = run.step(id)
        {
            self.flash(format!("{name} cannot go: {why}"));
        }
    }

    /// Selects the next lane (after the selected one, wrapping) whose worker can go.
    fn next_ready(&mut self) {
        let n = self.world.workers.len();
        let ready = |i: usize| {
            let id = self.world.workers[i].id;
            self.next_ops.iter().any(|x| x.w == id && x.ready)
        };
        match (1..=n)
            .map(|k| (self.view.selected + k) % n)
            .find(|&i| ready(i))
        {
            Some(i) => self.view.selected = i,
            None => self.flash("no worker can go now".into()),
        }
    }

    /// Moves the scrub cursor by `by` events; reaching the live end leaves scrubbing.
    fn scrub(&mut self, by: i64) {
        let can = self.status.run != RunState::Running || self.options.mode == Mode::Step;
        if !can {
            self.flash("pause (space) or step mode (s) first, then ← → scrub".into());
            return;
        }
        let end = self.history.end();
        let at = self.cursor.as_ref().map_or(end, |c| c.0);
        let to = at
            .saturating_add_signed(by)
            .clamp(self.history.first(), end);
        if to == end {
            self.cursor = None;
            self.status.scrub = None;
            return;
        }
        let world = self.history.world_after(to);
        self.status.scrub = Some(self.scrub_words(to, end, &world));
        self.cursor = Some((to, world));
    }

    fn scrub_words(&self, at: u64, end: u64, world: &World) -> String {
        let last = at.checked_sub(1).and_then(|i| self.history.event(i));
        let what = last.map_or(String::from("the start"), |e| {
            format!("{} {}", world.worker_name(e.w), describe::event(world, e))
        });
        format!("event {at} of {end} · {} · {what}", describe::secs(world.t))
    }

    fn change_speed(&mut self, faster: bool) {
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
        if let Some(run) = &self.run {
            run.set_speed(SPEEDS[i]);
        }
        if let Some(t) = &self.twin {
            t.run.set_speed(SPEEDS[i]);
        }
        self.flash(format!("speed ×{}", SPEEDS[i]));
    }

    fn next_variant(&mut self) {
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

    fn change_param(&mut self, up: bool) {
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

    fn select(&mut self, by: isize) {
        let n = self.world.workers.len();
        if n == 0 {
            return;
        }
        let s = self.view.selected as isize + by;
        self.view.selected = s.clamp(0, n as isize - 1) as usize;
    }

    /// The keys that apply now, most useful first, with words that say the current state.
    pub fn hints(&self) -> Vec<Hint> {
        if self.traced.is_some() {
            return self.traced_hints();
        }
        if self.picker.is_some() {
            return vec![
                hint("↑↓", "choose"),
                hint("enter", "run"),
                hint("?", "help"),
                hint("q", "quit"),
            ];
        }
        let info = self.info();
        let step = self.options.mode == Mode::Step;
        let mut h = Vec::new();
        if step {
            let who = self
                .world
                .workers
                .get(self.view.selected)
                .map_or("", |w| w.name.as_str());
            h.push(Hint {
                key: ". →",
                what: format!("step {who}"),
            });
            h.push(hint("tab", "next that can go"));
            h.push(hint("s", "leave step mode"));
        } else {
            h.push(match self.status.run {
                RunState::Running => hint("space", "pause"),
                RunState::Paused => hint("space", "resume"),
                RunState::Finished => hint("r", "run again"),
            });
            h.push(hint("s", "step mode"));
        }
        if step || self.status.run != RunState::Running {
            h.push(hint("← →", "scrub"));
        }
        // Child processes run free of the gate: a seed fixes only the parent's threads.
        let children = self
            .world
            .workers
            .iter()
            .any(|w| w.kind == crate::event::WorkerKind::Process);
        h.push(Hint {
            key: "R",
            what: match self.options.mode {
                _ if children => format!("seed {} (processes run free)", self.options.seed),
                Mode::Free => format!("seeded run (seed {})", self.options.seed),
                _ => format!("replay seed {}", self.options.seed),
            },
        });
        if let Some(v) = info.variants.iter().find(|v| v.name == self.config.variant) {
            h.push(Hint {
                key: "v",
                what: format!("version: {}", v.label),
            });
        }
        if let Some(p) = info.param_at(self.config.variant, self.param) {
            h.push(Hint {
                key: "[ ]",
                what: format!("{}={}", p.name, self.config.get(p.name)),
            });
        }
        if self.split {
            h.retain(|x| matches!(x.key, "space" | "r" | "R"));
            h.push(hint("b", "back to one version"));
        } else {
            h.push(hint(
                "g",
                if self.view.graph {
                    "log"
                } else {
                    "wait-for graph"
                },
            ));
            if info.variants.len() > 1 {
                h.push(hint("b", "both versions side by side"));
            }
        }
        h.push(hint(
            "c",
            if self.view.captions {
                "captions off"
            } else {
                "captions"
            },
        ));
        h.extend([
            hint("+ -", "speed"),
            hint("n p", "scenario"),
            hint("r", "restart"),
            hint("↑↓", "lane"),
            hint("enter", "details"),
            hint("l", "list"),
            hint("?", "help"),
            hint("q", "quit"),
        ]);
        if info.params_for(self.config.variant).count() > 1 {
            h.push(hint("\\", "next parameter"));
        }
        h
    }

    /// Every key, for the help overlay.
    pub fn all_keys(&self) -> Vec<Hint> {
        if self.traced.is_some() {
            return self.traced_keys();
        }
        keys::bindings(self.picker.is_some())
            .map(|b| hint(b.label, b.help))
            .chain([
                hint("ctrl-c", "quit"),
                hint("ctrl-r", "record the screen to a .cast file"),
            ])
            .collect()
    }

    pub fn draw(&self, frame: &mut Frame) {
        let hints = self.hints();
        if let Some(sel) = self.picker {
            let picker = Picker {
                scenarios: &self.infos,
                selected: sel,
                theme: self.theme,
            };
            ui::draw_picker(frame, &picker, &hints);
            return;
        }
        let all = self.all_keys();
        let world = self.shown_world();
        let screen = Screen {
            world,
            next_ops: &self.next_ops,
            info: self.info(),
            config: &self.config,
            status: &self.status,
            view: &self.view,
            hints: &hints,
            all_keys: &all,
            theme: self.theme,
        };
        match &self.twin {
            Some(t) => {
                let right = ui::split::Pane {
                    world: &t.world,
                    config: &t.config,
                };
                ui::split::draw(frame, &screen, right);
            }
            None => ui::draw(frame, &screen),
        }
    }

    /// Whether the next frame must be drawn even without new events: time moves while running.
    fn moving(&self) -> bool {
        self.picker.is_none()
            && self.status.run == RunState::Running
            && self.options.mode != Mode::Step
            && self.cursor.is_none()
    }
}

// ── record: an App with no live run behind it ──────────────────────────────────────
impl App {
    /// An App on `plan`'s scenario with no live run: the caller folds the events in with
    /// `feed` and moves `world`'s clock and `status` itself (`record` does, frame by frame, so
    /// a seeded screencast comes out the same byte for byte). Actions that restart the run
    /// (r R v n p [ ] l) must not reach `update`: they would start a live one.
    pub fn detached(plan: Plan) -> App {
        let mut app = App::new(None);
        app.current = app
            .scenarios
            .iter()
            .position(|s| s.info.name == plan.scenario.info.name)
            .unwrap_or(0);
        app.config = plan.config;
        app.options = plan.options;
        app.unstepped = match plan.options.mode {
            Mode::Step => Mode::Seeded,
            m => m,
        };
        app.status.speed = plan.options.speed;
        app.status.seed = plan.options.seed;
        app.status.mode = plan.options.mode;
        app.picker = None;
        // Screencasts are often watched without sound: they narrate by default.
        app.view.captions = true;
        app
    }

    /// Folds one event of the run into the world and the scrub history.
    pub fn feed(&mut self, ev: &crate::event::Event) {
        self.history.push(ev, &self.world);
        self.world.apply(ev);
        self.dirty = true;
    }
}

/// The actions that make sense while two versions run side by side.
fn works_side_by_side(a: Action) -> bool {
    use Action::*;
    matches!(
        a,
        Quit | Back
            | ToggleHelp
            | TogglePause
            | Faster
            | Slower
            | Restart
            | Replay
            | ToggleSplit
            | ToggleCaptions
            | NextScenario
            | PrevScenario
            | Picker
            | Up
            | Down
    )
}

/// What each parked worker will do next, in words, for the lanes in step mode.
fn next_ops(world: &World, parked: &[Parked]) -> Vec<NextOp> {
    parked
        .iter()
        .map(|p| {
            let what = describe::next_op(world, p.next.op, p.next.o);
            let text = match (p.ready, p.wake_at) {
                (true, _) => format!("next: {what}"),
                (false, Some(t)) => format!("next: wake up (due {})", describe::secs(t)),
                (false, None) => match world.worker(p.w) {
                    Some(w) => format!("can't go: {}", describe::state(world, w)),
                    None => format!("can't go: {what}"),
                },
            };
            NextOp {
                w: p.w,
                text,
                ready: p.ready || p.wake_at.is_some(),
            }
        })
        .collect()
}

fn hint(key: &'static str, what: &str) -> Hint {
    Hint {
        key,
        what: what.to_string(),
    }
}

/// Runs the TUI until the user quits; the terminal is restored on every way out.
pub fn main(plan: Option<Plan>) -> anyhow::Result<()> {
    // SIGTERM, SIGHUP and SIGINT end the loop like q does, so the terminal is restored.
    let signalled = Arc::new(AtomicBool::new(false));
    for sig in [SIGTERM, SIGHUP, SIGINT] {
        signal_hook::flag::register(sig, signalled.clone())?;
    }
    let mut terminal = ratatui::try_init()?;
    install_panic_hook();
    let result = run_loop(&mut terminal, &mut App::new(plan), &signalled);
    ratatui::restore();
    result
}

/// A worker's panic belongs in its lane, not on the screen; any other panic restores the
/// terminal first so its message is readable.
pub fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if crate::probe::on_worker_thread() {
            return;
        }
        ratatui::restore();
        previous(info);
    }));
}

/// Hands `fold` the events available now, a batch at a time, until none is left or the
/// frame's fold budget is spent; returns how many.
fn fold_for(events: &Events, mut fold: impl FnMut(Event)) -> usize {
    let until = Instant::now() + FOLD_PER_FRAME;
    let mut batch = Vec::with_capacity(probe::BATCH);
    let mut n = 0;
    while Instant::now() < until && events.recv_batch(&mut batch, probe::BATCH) > 0 {
        n += batch.len();
        batch.drain(..).for_each(&mut fold);
    }
    n
}

fn run_loop(
    terminal: &mut DefaultTerminal,
    app: &mut App,
    signalled: &AtomicBool,
) -> anyhow::Result<()> {
    let frame_time = Duration::from_millis(1000 / FPS);
    let mut next_frame = Instant::now();
    // Ctrl-R: the screen written to a .cast file as it is drawn.
    let mut rec: Option<LiveCast> = None;
    loop {
        if signalled.load(Ordering::SeqCst) {
            app.stop_run();
            return stop_recording(rec);
        }
        let changed = app.pump();
        if changed || app.moving() {
            let frame = terminal.draw(|f| app.draw(f))?;
            if let Some(r) = &mut rec
                && let Err(e) = r.frame(frame.buffer)
            {
                rec = None;
                app.flash(format!("recording stopped: {e}"));
            }
            app.dirty = false;
        }
        next_frame += frame_time;
        let now = Instant::now();
        if next_frame < now {
            next_frame = now;
        }
        // Wait for input until the next frame is due; handle every key that arrives.
        let mut timeout = next_frame.saturating_duration_since(Instant::now());
        while event::poll(timeout)? {
            match event::read()? {
                TermEvent::Key(k) if k.kind != KeyEventKind::Release && is_ctrl_r(&k) => {
                    let size = terminal.size()?;
                    toggle_recording(app, &mut rec, size.width, size.height);
                }
                TermEvent::Key(k) if k.kind != KeyEventKind::Release => {
                    if let Some(a) = keys::action_for(&k, app.picker.is_some()) {
                        app.update(a);
                    }
                }
                TermEvent::Resize(..) => app.dirty = true,
                _ => {}
            }
            if app.quit {
                app.stop_run();
                return stop_recording(rec);
            }
            timeout = Duration::ZERO;
        }
    }
}

// ── Ctrl-R: record the live screen (src/record/live.rs) ──────────────────────────────

fn is_ctrl_r(k: &crossterm::event::KeyEvent) -> bool {
    k.modifiers
        .contains(crossterm::event::KeyModifiers::CONTROL)
        && matches!(k.code, crossterm::event::KeyCode::Char('r' | 'R'))
}

/// Starts writing the screen to a new `.cast` file, or ends the one being written; the
/// status line names the file.
fn toggle_recording(app: &mut App, rec: &mut Option<LiveCast>, width: u16, height: u16) {
    let text = match rec.take() {
        Some(r) => match r.stop() {
            Ok(p) => format!("saved {}", p.display()),
            Err(e) => format!("recording failed: {e}"),
        },
        None => match LiveCast::start(app.info().name, width, height) {
            Ok(r) => {
                let t = format!("recording to {} (ctrl-r stops)", r.path().display());
                *rec = Some(r);
                t
            }
            Err(e) => format!("cannot record: {e}"),
        },
    };
    app.flash(text);
}

/// On quit, a recording in progress is closed properly.
fn stop_recording(rec: Option<LiveCast>) -> anyhow::Result<()> {
    if let Some(r) = rec {
        r.stop()?;
    }
    Ok(())
}
