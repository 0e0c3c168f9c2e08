//! `threadlanes record`: the real TUI, drawn into an in-memory terminal frame by frame and
//! written as an asciicast v2 file.
//!
//! How a recording comes out the same byte for byte: the scenario runs seeded (one worker at
//! a time, picked by the seed), where the events and their virtual times are the same on
//! every run however fast it goes. So the run goes as fast as it can in the background
//! ([`Reader`]) and the recording takes its events by virtual time: every frame (100 ms of
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
//! A frame folds at most `FOLD_PER_FRAME` events: a run that makes more (`stress`) plays
//! slower than its own clock, and the recording says so, so that a recording takes at most
//! a small multiple of its length in wall time.
//!
//! Nothing here reads the wall clock: flash messages last 2 s of recording time.
//! Not reproducible: `gil`'s outcome (it measures real CPU time), and the pid in the lane
//! details (enter).

use super::script::KeyAt;
use super::{End, Reader};
use crate::app::App;
use crate::cast::Cast;
use crate::cli::Plan;
use crate::event::Op;
use crate::keys::Action;
use crate::runner::{Mode, Options};
use crate::view::RunState;
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
/// Most events one frame folds. A teaching scenario makes at most a couple of hundred in a
/// frame's 100 ms of virtual time; `stress` makes thousands in every virtual millisecond,
/// and seeded, each is a hand-off between two threads, so folding all that fell due took
/// minutes of wall time per second of recording. Past this many the frame shows the run
/// where it has got to, and virtual time waits for it there: the recording plays slower
/// than the run's clock. A count, not a time, so a recording stays the same byte for byte.
const FOLD_PER_FRAME: usize = 1000;

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

/// What plays now: its background run, and the app showing it.
struct Live {
    source: Reader,
    app: App,
    /// Virtual time shown (ns).
    v: u64,
    /// The flash on screen and the recording time it appeared.
    flash: Option<(String, u64)>,
    /// A frame had more events due than it folds ([`FOLD_PER_FRAME`]).
    slowed: bool,
}

/// The background run of `plan`: seeded, as fast as it goes (see the module's doc).
fn source_for(plan: &Plan) -> Reader {
    Reader::start(&Plan {
        options: Options {
            speed: SOURCE_SPEED,
            paused: false,
            seed: plan.options.seed,
            mode: Mode::Seeded,
        },
        ..plan.clone()
    })
}

impl Live {
    fn new(plan: Plan) -> Live {
        Live {
            source: source_for(&plan),
            app: App::detached(plan),
            v: 0,
            flash: None,
            slowed: false,
        }
    }

    fn moving(&self) -> bool {
        self.app.moving()
    }

    /// Folds the events due by the virtual time shown, at most [`FOLD_PER_FRAME`] (then
    /// the time shown is the last one's); a run that has ended shows so.
    fn catch_up(&mut self) {
        let mut folded = 0;
        while let Some(ev) = self.source.peek(None) {
            if ev.t > self.v {
                break;
            }
            if folded == FOLD_PER_FRAME {
                self.v = ev.t;
                self.slowed = true;
                break;
            }
            if let Some(ev) = self.source.next(None) {
                self.app.feed(ev);
                folded += 1;
            }
        }
        if self.app.status.run == RunState::Running {
            self.app.clock_to(self.v);
            if self.source.end() == Some(End::Finished) {
                self.app.source_ended();
            }
        }
    }

    /// Step mode: the next operation of the seeded schedule (declarations and a thread's
    /// start go with it, as in the TUI's step mode), with its worker's lane selected.
    fn step(&mut self) {
        while let Some(ev) = self.source.next(None) {
            self.v = self.v.max(ev.t);
            let setup = matches!(ev.op, Op::Worker { .. } | Op::Object { .. } | Op::Start);
            let stepped = (!setup).then_some(ev.w);
            self.app.feed(ev);
            if let Some(w) = stepped {
                self.app.select_worker(w);
                break;
            }
        }
        self.app.clock_to(self.v);
    }

    /// A key, through the app as the TUI's keys go; a key that restarted the run (r R v n p
    /// [ ]) starts its new background run from virtual time 0.
    fn key(&mut self, k: &KeyAt) {
        let stepping = self.app.status.mode == Mode::Step && self.app.status.scrub.is_none();
        self.app.update(k.action);
        if let Some(plan) = self.app.take_restart() {
            self.source = source_for(&plan);
            self.v = 0;
            self.flash = None;
        } else if stepping && matches!(k.action, Action::Step | Action::Right) {
            self.step();
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
                live.app.clear_flash();
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
    if live.slowed {
        let slow = format!(
            "the run made more events than a recording shows ({FOLD_PER_FRAME} a frame): \
             it plays slower than its own clock"
        );
        note = Some(note.map_or(slow.clone(), |n| format!("{n}\n{slow}")));
    }
    let frames = cast.frames();
    Recording {
        cast: cast.finish(ms),
        frames,
        ms,
        note,
    }
}
