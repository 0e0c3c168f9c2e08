//! app: the loop's state. Terminal input becomes an [`Action`] (src/keys.rs); [`App::update`]
//! changes the state, one `match` over the action; the source's events are folded into the
//! model by [`App::pump`]; [`App::draw`] only reads.
//!
//! - `run.rs`: run control (stop, pump, pause, step, speed), each asking [`App::controls`]
//!   what the source can do;
//! - `restart.rs`: starting a scenario again, with another version, parameter or seed;
//! - `offers.rs`: which actions work now, from the source's controls, and why not;
//! - `hints.rs`: the footer and the help, built from the bindings table;
//! - `scrub.rs`: the scrub cursor over the run's history;
//! - `select.rs`: which lane is selected (↑ ↓, tab, and after a step in step mode);
//! - `detached.rs`: an App with no live run, that the screencast recorder feeds;
//! - [`terminal`]: the terminal loop, the panic hook, Ctrl-R (the binary's way in);
//! - `input.rs`: keys, resizes and signals, read on their own threads for the loop;
//! - `suspend.rs`: Ctrl-Z and SIGTSTP: the terminal given back, the process stopped;
//! - `settings.rs`: what the environment sets.
//!
//! The App holds one source and the words about what runs, both given when it is made
//! ([`App::new`] for a scenario from the catalogue, [`App::watching`] for any other source,
//! say a traced program). It never asks which kind of source it has: what the keys may do is
//! [`Source::controls`]'s answer, and a scenario is started again from the catalogue only
//! because the source says it can be restarted.
//!
//! The App must not draw (the ui does, from a `ui::Screen` of its values) nor decide what a
//! key means (the bindings table does).

use crate::cli::Plan;
use crate::keys::Action;
use crate::model::{History, World};
use crate::runner::{Mode, Options};
use crate::scenarios::{self, Config, Info, Scenario};
use crate::source::Source;
use crate::ui::{self, Picker, Screen, Theme};
use crate::view::{NextOp, RunState, Status, View};
use ratatui::Frame;
use std::time::{Duration, Instant};

mod detached;
mod hints;
mod input;
mod memory;
mod offers;
mod restart;
mod run;
mod scrub;
mod select;
mod settings;
mod suspend;
pub mod terminal;
#[cfg(test)]
mod tests;

/// How long a run may take to stop on restart or quit before we move on without it.
const STOP_WITHIN: Duration = Duration::from_millis(400);

pub struct App {
    scenarios: &'static [Scenario],
    infos: Vec<Info>,
    current: usize,
    /// The words about what runs: the current scenario's, or those given with the source.
    about: &'static Info,
    config: Config,
    options: Options,
    /// Where the events shown come from (none in the picker or detached).
    source: Option<Box<dyn Source>>,
    pub world: World,
    /// Every event of the run (bounded), for scrubbing.
    history: History,
    /// Scrubbing: how many events of the run the shown world has folded, and that world.
    cursor: Option<scrub::Cursor>,
    /// The mode to go back to when step mode is turned off.
    unstepped: Mode,
    next_ops: Vec<NextOp>,
    /// The shared memory blocks of a traced program, read for their cards.
    memory: memory::Memory,
    pub status: Status,
    pub view: View,
    picker: Option<usize>,
    /// Which parameter `[`/`]` change.
    param: usize,
    /// Step mode: a move of the selection owed once the step in flight is over.
    reselect: Option<select::Reselect>,
    /// The run was chosen in the picker: Esc goes back there rather than quitting.
    from_picker: bool,
    flash_until: Option<Instant>,
    pub quit: bool,
    theme: Theme,
    /// Something changed since the last frame.
    dirty: bool,
    /// Side by side (`b`): the other version runs too, beside this one.
    split: bool,
    twin: Option<Twin>,
    /// No live run behind this App: the recorder feeds it (see [`App::detached`]).
    detached: bool,
    /// Detached: the plan a restart asked for, until the recorder takes it.
    restarted: Option<Plan>,
    /// A source given from outside that `R` can start again (a traced program): given the
    /// schedule the run shown followed, it starts the same program following it.
    again: Option<Again>,
    /// Lanes the last frame's panel had room for: which threads' tasks fold by default,
    /// so ↑ ↓ move over the rows drawn (set while drawing, which only reads otherwise).
    lane_rows: std::cell::Cell<usize>,
}

/// Starts a source given from outside again, following a schedule (None: a fresh seeded
/// run); None if it could not start.
pub type Again = Box<dyn FnMut(Option<String>) -> Option<Box<dyn Source>>>;

/// The second run of side by side: the scenario's other version, with its own world.
struct Twin {
    source: Box<dyn Source>,
    world: World,
    config: Config,
}

impl App {
    /// With a plan: straight into that scenario; without: the picker.
    pub fn new(plan: Option<Plan>) -> App {
        let Some(plan) = plan else {
            let mut app = App::blank(Self::fresh_options());
            app.picker = Some(0);
            return app;
        };
        let mut app = App::blank(plan.options);
        app.choose(&plan);
        app.start();
        app
    }

    /// An App showing `source` (already started), with `about`'s words for it and `speed`
    /// on the status line. What its keys may do is the source's [`Source::controls`].
    pub fn watching(source: Box<dyn Source>, about: &'static Info, speed: f64) -> App {
        let mut app = App::blank(Self::fresh_options());
        app.about = about;
        app.status.speed = speed;
        app.source = Some(source);
        app
    }

    /// In step mode from the start (a traced program started with `trace --step`, whose
    /// threads wait at their gates from their first operation).
    pub fn stepping(mut self) -> App {
        self.options.mode = Mode::Step;
        self.status.mode = Mode::Step;
        // As on entering step mode: `.` has someone to step once the gates report.
        self.owe_reselect(None);
        self
    }

    /// `R` starts the program again through `again`, following the schedule of the run
    /// shown (a traced program).
    pub fn replayable(mut self, again: Again) -> App {
        self.again = Some(again);
        self
    }

    /// In seeded mode from the start (a traced program started with `trace --seed N` or
    /// `--replay`): its threads go one at a time in the order the seed picks.
    pub fn seeded(mut self, seed: u64) -> App {
        self.options.mode = Mode::Seeded;
        self.options.seed = seed;
        self.status.mode = Mode::Seeded;
        self.unstepped = Mode::Seeded;
        self
    }

    /// What the App shows, taken back once it is done with it (its exit status and what it
    /// wrote are the caller's to report).
    pub fn into_source(mut self) -> Option<Box<dyn Source>> {
        self.source.take()
    }

    /// Where the events shown come from, if anything runs.
    pub fn source(&self) -> Option<&dyn Source> {
        self.source.as_deref()
    }

    /// Options for a run not yet chosen: a fresh seed, the rest as by default.
    fn fresh_options() -> Options {
        Options {
            seed: crate::cli::fresh_seed(),
            ..Options::default()
        }
    }

    /// `plan`'s scenario from the catalogue, with its version and parameters (not started).
    fn choose(&mut self, plan: &Plan) {
        self.current = self
            .scenarios
            .iter()
            .position(|s| s.info.name == plan.scenario.info.name)
            .unwrap_or(0);
        self.about = &self.scenarios[self.current].info;
        self.config = plan.config.clone();
    }

    /// An App on the catalogue's first scenario with `options`, nothing running, no picker.
    fn blank(options: Options) -> App {
        let scenarios = scenarios::all();
        let mut app = App {
            scenarios,
            infos: scenarios::infos(),
            current: 0,
            about: &scenarios[0].info,
            config: Config::default_for(&scenarios[0].info),
            status: Status {
                run: RunState::Running,
                speed: options.speed,
                seed: options.seed,
                mode: options.mode,
                scrub: None,
                flash: None,
                dropped: 0,
            },
            options,
            source: None,
            world: World::default(),
            history: History::new(settings::history_len()),
            memory: memory::Memory::default(),
            cursor: None,
            unstepped: if options.mode == Mode::Step {
                Mode::Free
            } else {
                options.mode
            },
            next_ops: Vec::new(),
            view: View::default(),
            picker: None,
            param: 0,
            reselect: None,
            from_picker: false,
            flash_until: None,
            quit: false,
            theme: Theme::detect(),
            dirty: true,
            split: false,
            twin: None,
            detached: false,
            restarted: None,
            again: None,
            lane_rows: std::cell::Cell::new(usize::MAX),
        };
        if let Some(Err(why)) = settings::history_setting() {
            app.flash(why.to_string());
        }
        app
    }

    /// Step mode: what each parked worker will do next.
    pub fn next_ops(&self) -> &[NextOp] {
        &self.next_ops
    }

    /// The lanes' hints on screen: the live workers' next operations, or, scrubbing, what
    /// each did next after the moment shown.
    pub fn shown_next_ops(&self) -> &[NextOp] {
        self.cursor.as_ref().map_or(&self.next_ops, |c| &c.hints)
    }

    /// The world on screen: the live one, or the one under the scrub cursor.
    pub fn shown_world(&self) -> &World {
        self.cursor.as_ref().map_or(&self.world, |c| &c.world)
    }

    /// Side by side: the other version's world, beside the app's own.
    pub fn twin_world(&self) -> Option<&World> {
        self.twin.as_ref().map(|t| &t.world)
    }

    /// The flash message now showing, if any.
    pub fn flash_text(&self) -> Option<&str> {
        self.status.flash.as_deref()
    }

    /// Whether the scenario picker is showing (its keys are not the run screen's).
    pub fn in_picker(&self) -> bool {
        self.picker.is_some()
    }

    fn info(&self) -> &'static Info {
        self.about
    }

    fn flash(&mut self, text: String) {
        self.status.flash = Some(text);
        self.flash_until = Some(Instant::now() + Duration::from_secs(2));
        self.dirty = true;
    }

    pub fn update(&mut self, action: Action) {
        self.dirty = true;
        if let Some(sel) = self.picker {
            self.update_picker(action, sel);
            return;
        }
        if !self.offers(action) {
            self.flash(self.refusal().into());
            return;
        }
        match action {
            Action::Quit => self.quit = true,
            Action::Back if self.view.help || self.view.details => {
                self.view.help = false;
                self.view.details = false;
            }
            // Started from the picker, Esc goes back there; q still quits.
            Action::Back if self.from_picker => self.back_to_picker(),
            Action::Back => self.quit = true,
            Action::ToggleHelp => self.view.help = !self.view.help,
            Action::TogglePause => self.toggle_pause(),
            Action::Faster | Action::Slower => self.change_speed(action == Action::Faster),
            Action::NextScenario => self.switch_to(self.current + 1),
            Action::PrevScenario => self.switch_to(self.current + self.scenarios.len() - 1),
            Action::Restart => self.restart(),
            Action::Replay => self.replay(),
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
            Action::NextParam => self.next_param(),
            Action::Up => self.select(-1),
            Action::Down => self.select(1),
            Action::PageUp => self.view.object_scroll = self.view.object_scroll.saturating_sub(5),
            Action::PageDown => self.view.object_scroll += 5,
            Action::Enter => self.view.details = !self.view.details,
            Action::ToggleGraph => self.view.graph = !self.view.graph,
            Action::ToggleCaptions => self.view.captions = !self.view.captions,
            Action::MoreExplanation => self.view.explain_page += 1,
            Action::ToggleTasks => self.toggle_tasks(),
            Action::Zoom => {
                self.view.zoom = (self.view.zoom + 1) % crate::view::CELL_NS.len();
                let ms = self.view.cell_ns() / 1_000_000;
                self.flash(format!("timelines: {ms} ms a cell (z: more)"));
            }
            Action::ToggleSplit => self.toggle_split(),
            Action::Picker => self.back_to_picker(),
            // The terminal loop records the screen and suspends; without a terminal there is
            // nothing to.
            Action::Record | Action::Suspend => {}
        }
    }

    fn update_picker(&mut self, action: Action, sel: usize) {
        let n = self.scenarios.len();
        match action {
            Action::ToggleHelp => self.view.help = !self.view.help,
            Action::Back if self.view.help => self.view.help = false,
            Action::Quit | Action::Back => self.quit = true,
            Action::Up | Action::Down => {
                let by = if action == Action::Up { n - 1 } else { 1 };
                self.picker = Some((sel + by) % n);
                self.view.explain_page = 0;
            }
            Action::MoreExplanation => self.view.explain_page += 1,
            Action::Enter => {
                self.picker = None;
                self.view.help = false;
                self.from_picker = true;
                self.switch_to(sel);
            }
            _ => {}
        }
    }

    /// Back to the scenario picker, the current scenario chosen; what ran is stopped.
    fn back_to_picker(&mut self) {
        self.split = false;
        self.view.help = false;
        self.stop_run();
        self.source = None;
        self.picker = Some(self.current);
        self.view.explain_page = 0;
    }

    fn next_param(&mut self) {
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

    pub fn draw(&self, frame: &mut Frame) {
        let hints = self.hints();
        if let Some(sel) = self.picker {
            let picker = Picker {
                scenarios: &self.infos,
                selected: sel,
                page: self.view.explain_page,
                theme: self.theme,
            };
            ui::draw_picker(frame, &picker, &hints);
            if self.view.help {
                ui::draw_picker_help(frame, &self.all_keys(), &self.theme);
            }
            return;
        }
        let all = self.all_keys();
        let world = self.shown_world();
        let screen = Screen {
            world,
            next_ops: self.shown_next_ops(),
            info: self.info(),
            config: &self.config,
            status: &self.status,
            view: &self.view,
            hints: &hints,
            all_keys: &all,
            theme: self.theme,
        };
        self.lane_rows.set(ui::lane_rows(frame.area(), &screen));
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
    pub fn moving(&self) -> bool {
        self.picker.is_none()
            && self.status.run == RunState::Running
            && self.options.mode != Mode::Step
            && self.cursor.is_none()
    }
}
