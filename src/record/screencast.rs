//! `threadlanes record`: the real TUI, drawn into an in-memory terminal frame by frame and
//! written as an asciicast v2 file.
//!
//! How a recording comes out the same byte for byte: the scenario runs seeded (one worker at
//! a time, picked by the seed), where the events and their virtual times are the same on
//! every run however fast it goes. So the run goes as fast as it can in the background
//! ([`Source`]) and the recording takes its events by virtual time: every frame (100 ms of
//! recording time) moves the virtual clock by 100 ms × the speed shown, folds the events due
//! into a detached [`App`] (the same `App` the TUI runs, with no live run behind it) and
//! draws it into a `TestBackend`. Keys from `--keys` are applied at their recording times
//! through `App::update`, as the terminal's keys are:
//!
//! - space pauses: recording time passes, virtual time does not; `+`/`-` scale it;
//! - `s` turns step mode on: virtual time stops, and each `.` (or →) does the next operation
//!   of the seeded schedule, selecting its lane (you cannot pick another worker: the schedule
//!   is the seed's); ← → scrub when paused or stepping;
//! - `r` restarts with the seed that follows (the same one on every recording), `R` replays
//!   the same seed, `v` flips the version, `[` `]` change the parameter, `n` `p` change the
//!   scenario: each starts a new seeded run from virtual time 0;
//! - ↑ ↓ enter ? esc pgup pgdn behave as in the TUI; `q` (or esc with no overlay) ends it.
//!
//! Nothing here reads the wall clock: flash messages last 2 s of recording time.
//! Not reproducible: `gil`'s outcome (it measures real CPU time), and the pid in the lane
//! details (enter).

use super::cast::Cast;
use super::script::KeyAt;
use super::{End, Source, next_seed};
use crate::app::App;
use crate::cli::Plan;
use crate::event::Op;
use crate::keys::Action;
use crate::runner::{Mode, Options};
use crate::scenarios::{self, Config};
use crate::ui::RunState;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// Recording time between two frames.
pub const FRAME_MS: u64 = 100;
/// How long a recording goes on once nothing moves and no key is left.
pub const TAIL_MS: u64 = 2000;
/// The longest recording without `--for`.
pub const MAX_MS: u64 = 120_000;
/// How long a flash message shows.
const FLASH_MS: u64 = 2000;
/// How fast the background run goes (virtual time is the same at any speed when seeded).
const SOURCE_SPEED: f64 = 1000.0;

pub struct Request {
    pub cols: u16,
    pub rows: u16,
    /// Recording length; without it, until the run has ended and the keys are done.
    pub for_ms: Option<u64>,
    pub keys: Vec<KeyAt>,
    /// The header's title and command.
    pub title: String,
    pub command: String,
}

pub struct Recording {
    /// The asciicast v2 text.
    pub cast: String,
    pub frames: usize,
    pub ms: u64,
    /// Something the user should know (the recording was cut at its longest).
    pub note: Option<String>,
}

/// What plays now: the plan, its background run, and the app showing it.
struct Live {
    plan: Plan,
    source: Source,
    app: App,
    /// Virtual time shown (ns).
    v: u64,
    /// Which parameter `[` `]` change (the app's own is private; `\` moves both).
    param: usize,
    /// The flash on screen and the recording time it appeared.
    flash: Option<(String, u64)>,
}

impl Live {
    fn new(plan: Plan) -> Live {
        let source = Source::start(&Plan {
            options: Options {
                speed: SOURCE_SPEED,
                paused: false,
                seed: plan.options.seed,
                mode: Mode::Seeded,
            },
            ..plan.clone()
        });
        Live {
            app: App::detached(plan.clone()),
            plan,
            source,
            v: 0,
            param: 0,
            flash: None,
        }
    }

    fn moving(&self) -> bool {
        let s = &self.app.status;
        s.run == RunState::Running && s.mode != Mode::Step && s.scrub.is_none()
    }

    /// Folds every event due by the virtual time shown; a run that has ended shows so.
    fn catch_up(&mut self) {
        while let Some(ev) = self.source.peek(None) {
            if ev.t > self.v {
                break;
            }
            if let Some(ev) = self.source.next(None) {
                self.app.feed(&ev);
            }
        }
        if self.app.status.run == RunState::Running {
            self.app.world.advance(self.v);
            if self.source.end() == Some(End::Finished) {
                self.app.status.run = RunState::Finished;
            }
        }
    }

    /// Step mode: the next operation of the seeded schedule (declarations go with it), with
    /// its worker's lane selected.
    fn step(&mut self) {
        while let Some(ev) = self.source.next(None) {
            self.v = self.v.max(ev.t);
            self.app.feed(&ev);
            if !matches!(ev.op, Op::Worker { .. } | Op::Object { .. }) {
                if let Some(i) = self.app.world.workers.iter().position(|w| w.id == ev.w) {
                    self.app.view.selected = i;
                }
                break;
            }
        }
        self.app.world.advance(self.v);
    }

    /// A fresh run of `plan` from virtual time 0, keeping the speed and mode shown.
    fn restart(&mut self, mut plan: Plan, flash: String) {
        plan.options.speed = self.app.status.speed;
        plan.options.mode = self.app.status.mode;
        let (param, view) = (self.param, self.app.view.clone());
        *self = Live::new(plan);
        self.param = param;
        self.app.view.captions = view.captions;
        self.app.view.graph = view.graph;
        self.app.status.flash = Some(flash);
    }

    fn key(&mut self, k: &KeyAt) {
        let scenario: &'static scenarios::Scenario = self.plan.scenario;
        let info = &scenario.info;
        let mut plan = self.plan.clone();
        match k.action {
            Action::Restart => {
                plan.options.seed = next_seed(plan.options.seed);
                self.restart(plan, "restarted".into());
            }
            Action::Replay => {
                let seed = plan.options.seed;
                self.restart(plan, format!("replaying seed {seed}"));
            }
            Action::ToggleVariant => {
                let vs = info.variants;
                if vs.is_empty() {
                    self.app.status.flash = Some("this scenario has one version".into());
                    return;
                }
                let i = vs
                    .iter()
                    .position(|v| v.name == plan.config.variant)
                    .unwrap_or(0);
                let v = vs[(i + 1) % vs.len()];
                plan.config.variant = v.name;
                self.restart(plan, format!("version: {}", v.label));
            }
            Action::ParamUp | Action::ParamDown => {
                let Some(p) = info.param_at(plan.config.variant, self.param).copied() else {
                    self.app.status.flash = Some("this scenario has no parameter".into());
                    return;
                };
                let Some(slot) = plan.config.params.iter_mut().find(|(n, _)| *n == p.name) else {
                    return;
                };
                let up = k.action == Action::ParamUp;
                let v = (slot.1 + if up { 1 } else { -1 }).clamp(p.min, p.max);
                if v == slot.1 {
                    self.app.status.flash =
                        Some(format!("{} stays within {}..={}", p.name, p.min, p.max));
                    return;
                }
                slot.1 = v;
                self.restart(plan, format!("{} = {v}", p.name));
            }
            Action::NextScenario | Action::PrevScenario => {
                let all = scenarios::all();
                let i = all
                    .iter()
                    .position(|s| s.info.name == info.name)
                    .unwrap_or(0);
                let j = if k.action == Action::NextScenario {
                    (i + 1) % all.len()
                } else {
                    (i + all.len() - 1) % all.len()
                };
                let s = &all[j];
                plan.scenario = s;
                plan.config = Config::default_for(&s.info);
                plan.options.seed = next_seed(plan.options.seed);
                self.restart(plan, format!("scenario: {}", s.info.name));
                self.param = 0;
            }
            Action::NextParam => {
                self.app.update(Action::NextParam);
                self.param = (self.param + 1) % info.params.len().max(1);
            }
            a @ (Action::Step | Action::Right)
                if self.app.status.mode == Mode::Step && self.app.status.scrub.is_none() =>
            {
                self.app.update(a);
                self.step();
            }
            a => self.app.update(a),
        }
    }
}

/// Records `plan` (seeded: its seed decides the schedule) as `req` asks.
pub fn record(plan: &Plan, req: &Request) -> Recording {
    let mut plan = plan.clone();
    plan.options.mode = Mode::Seeded;
    plan.options.paused = false;
    let mut live = Live::new(plan);
    let backend = TestBackend::new(req.cols, req.rows);
    let mut term = Terminal::new(backend).expect("an in-memory terminal");
    let mut cast = Cast::new(req.cols, req.rows, &req.title, &req.command);
    let mut keys = req.keys.iter().peekable();
    let mut idle_since: Option<u64> = None;
    let mut note = None;
    let mut ms = 0;
    loop {
        while let Some(k) = keys.next_if(|k| k.ms <= ms) {
            live.key(k);
            if live.app.status.flash.is_some() {
                live.flash = None; // a new (or repeated) message: its 2 s start now
            }
            if live.app.quit {
                break;
            }
        }
        if live.app.quit {
            break;
        }
        if ms > 0 && live.moving() {
            let dt = FRAME_MS as f64 * 1e6 * live.app.status.speed;
            live.v += dt.round() as u64;
        }
        live.catch_up();
        match (&live.app.status.flash, &live.flash) {
            (Some(text), None) => live.flash = Some((text.clone(), ms)),
            (Some(text), Some((seen, _))) if text != seen => live.flash = Some((text.clone(), ms)),
            (Some(_), Some((_, since))) if ms >= since + FLASH_MS => {
                live.app.status.flash = None;
                live.flash = None;
            }
            (None, _) => live.flash = None,
            _ => {}
        }
        term.draw(|f| live.app.draw(f)).expect("drawing in memory");
        cast.frame(ms, term.backend().buffer());
        let done = match req.for_ms {
            Some(limit) => ms >= limit,
            None => {
                let idle = live.source.end().is_some() || !live.moving();
                if idle && keys.peek().is_none() {
                    let since = *idle_since.get_or_insert(ms);
                    ms >= since + TAIL_MS
                } else {
                    idle_since = None;
                    if ms >= MAX_MS {
                        note = Some(format!(
                            "stopped after {} s of recording; give --for SECONDS for longer",
                            MAX_MS / 1000
                        ));
                        true
                    } else {
                        false
                    }
                }
            }
        };
        if done {
            break;
        }
        ms += FRAME_MS;
    }
    let frames = cast.frames();
    Recording {
        cast: cast.finish(ms),
        frames,
        ms,
        note,
    }
}
