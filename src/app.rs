//! app: the loop. Terminal input becomes an `Action`; `update` changes the state; runner
//! events are folded into the model; a frame is drawn at a steady rate while something
//! moves, and only on change while paused.

use crate::cli::{Plan, fresh_seed};
use crate::keys::{self, Action, BINDINGS, Scope};
use crate::model::World;
use crate::runner::{Options, Run};
use crate::scenarios::{self, Config, Info, Scenario};
use crate::ui::{self, Hint, Picker, RunState, Screen, Status, Theme, View};
use crossterm::event::{self, Event as TermEvent, KeyEventKind};
use ratatui::{DefaultTerminal, Frame};
use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Frames per second while the run moves.
const FPS: u64 = 30;
/// Most events folded between two frames, so a flood never starves the keys.
const EVENTS_PER_FRAME: usize = 200_000;
/// How long a run may take to stop on restart or quit before we move on without it.
const STOP_WITHIN: Duration = Duration::from_millis(400);
const SPEEDS: &[f64] = &[0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 10.0];

pub struct App {
    scenarios: &'static [Scenario],
    infos: Vec<Info>,
    current: usize,
    config: Config,
    options: Options,
    run: Option<Run>,
    pub world: World,
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
                step: false,
                flash: None,
            },
            options,
            run: None,
            world: World::default(),
            view: View::default(),
            picker,
            param: 0,
            flash_until: None,
            quit: false,
            theme: Theme::detect(),
            dirty: true,
        };
        if app.picker.is_none() {
            app.start();
        }
        app
    }

    fn info(&self) -> &'static Info {
        &self.scenarios[self.current].info
    }

    /// Starts the current scenario afresh with the current config and options.
    fn start(&mut self) {
        self.stop_run();
        self.world = World::default();
        self.view = View::default();
        self.options.paused = false;
        self.status.run = RunState::Running;
        self.status.seed = self.options.seed;
        let cfg = self.config.clone();
        let main = self.scenarios[self.current].main;
        self.run = Some(Run::start(move || main(&cfg), self.options));
        self.dirty = true;
    }

    fn stop_run(&mut self) {
        if let Some(mut run) = self.run.take() {
            run.stop(STOP_WITHIN);
        }
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
        let Some(run) = &self.run else {
            return self.dirty;
        };
        let mut n = 0;
        while n < EVENTS_PER_FRAME {
            match run.events().try_recv() {
                Ok(ev) => self.world.apply(&ev),
                Err(_) => break,
            }
            n += 1;
        }
        if self.status.run == RunState::Running {
            self.world.advance(run.now());
            if run.is_finished() && run.events().is_empty() {
                self.status.run = RunState::Finished;
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
        if let Some(sel) = self.picker {
            self.update_picker(action, sel);
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
            Action::ToggleVariant => self.next_variant(),
            Action::ParamUp | Action::ParamDown => self.change_param(action == Action::ParamUp),
            Action::NextParam => {
                let n = self.info().params.len().max(1);
                self.param = (self.param + 1) % n;
            }
            Action::Up => self.select(-1),
            Action::Down => self.select(1),
            Action::PageUp => self.view.object_scroll = self.view.object_scroll.saturating_sub(5),
            Action::PageDown => self.view.object_scroll += 5,
            Action::Enter => self.view.details = !self.view.details,
            Action::Picker => {
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
        self.status.run = if paused {
            RunState::Paused
        } else {
            RunState::Running
        };
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
        let Some(p) = self.info().params.get(self.param).copied() else {
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
        if self.picker.is_some() {
            return vec![
                hint("↑↓", "choose"),
                hint("enter", "run"),
                hint("?", "help"),
                hint("q", "quit"),
            ];
        }
        let mut h = vec![match self.status.run {
            RunState::Running => hint("space", "pause"),
            RunState::Paused => hint("space", "resume"),
            RunState::Finished => hint("r", "run again"),
        }];
        let info = self.info();
        if let Some(v) = info.variants.iter().find(|v| v.name == self.config.variant) {
            h.push(Hint {
                key: "v",
                what: format!("version: {}", v.label),
            });
        }
        if let Some(p) = info.params.get(self.param) {
            h.push(Hint {
                key: "[ ]",
                what: format!("{}={}", p.name, self.config.get(p.name)),
            });
        }
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
        if info.params.len() > 1 {
            h.push(hint("\\", "next parameter"));
        }
        h
    }

    /// Every key, for the help overlay.
    pub fn all_keys(&self) -> Vec<Hint> {
        let picker = self.picker.is_some();
        BINDINGS
            .iter()
            .filter(|b| match b.scope {
                Scope::Both => true,
                Scope::Picker => picker,
                Scope::Run => !picker,
            })
            .map(|b| hint(b.label, b.help))
            .chain(std::iter::once(hint("ctrl-c", "quit")))
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
        let screen = Screen {
            world: &self.world,
            info: self.info(),
            config: &self.config,
            status: &self.status,
            view: &self.view,
            hints: &hints,
            all_keys: &all,
            theme: self.theme,
        };
        ui::draw(frame, &screen);
    }

    /// Whether the next frame must be drawn even without new events: time moves while running.
    fn moving(&self) -> bool {
        self.picker.is_none() && self.status.run == RunState::Running
    }
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
    let result = run_loop(&mut terminal, App::new(plan), &signalled);
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

fn run_loop(
    terminal: &mut DefaultTerminal,
    mut app: App,
    signalled: &AtomicBool,
) -> anyhow::Result<()> {
    let frame_time = Duration::from_millis(1000 / FPS);
    let mut next_frame = Instant::now();
    loop {
        if signalled.load(Ordering::SeqCst) {
            app.stop_run();
            return Ok(());
        }
        let changed = app.pump();
        if changed || app.moving() {
            terminal.draw(|f| app.draw(f))?;
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
                return Ok(());
            }
            timeout = Duration::ZERO;
        }
    }
}
