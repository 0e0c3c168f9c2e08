//! The app with a traced program as its event source (src/trace) instead of a scenario run:
//! no gate, no variants, no restart; the clock is the program's real time. Space freezes the
//! view (the program goes on; its events wait and are folded on resume), ← → scrub a frozen
//! view, q ends the program and all its children.

use super::{App, hint, run_loop};
use crate::event::{Event, Op};
use crate::keys::Action;
use crate::scenarios::Info;
use crate::source::Item;
use crate::source::traced::{Captured, HOLD, Trace};
use crate::ui::{Hint, RunState};
use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

/// Longest the model folds a traced program's events between two frames, so a busy program
/// never starves the keys (the rest wait for the next frame; the program does not).
const FOLD_PER_FRAME: Duration = Duration::from_millis(4);

pub(super) struct Traced {
    pub trace: Trace,
    pub info: &'static Info,
    /// The exit status has been said in the flash line.
    told_end: bool,
    /// Lines the program wrote to stderr, with when they came: its events are held `HOLD`
    /// to be put in time order before they reach us, so its stderr waits as long, or it
    /// would show ahead of what happened before it.
    late: VecDeque<(Instant, String)>,
}

const EXPLAIN: &str = "A real Python program, traced live: every thread and process is a lane, \
and its locks, semaphores, events, conditions, barriers, queues, pools, pipes and shared values \
are the objects on the right.\n\nThe program runs at its own speed (--speed only scales its \
time.sleep calls). Space freezes this view while the program goes on; q ends the program and \
every process it started. What it prints is in the log, and is written to the terminal when \
you quit.";

impl App {
    /// An App showing `trace` (already started).
    pub fn traced(trace: Trace) -> App {
        let mut app = App::new(None);
        app.picker = None;
        app.status.speed = trace.speed;
        let title: &'static str = Box::leak(trace.command.clone().into_boxed_str());
        let info: &'static Info = Box::leak(Box::new(Info {
            name: "trace",
            title,
            lesson: "your own program's threads and processes, live",
            explain: EXPLAIN,
            variants: &[],
            params: &[],
        }));
        app.traced = Some(Traced {
            trace,
            info,
            told_end: false,
            late: VecDeque::new(),
        });
        app
    }

    /// The traced program's exit status, once it has ended.
    pub fn traced_exit(&self) -> Option<i32> {
        self.traced.as_ref().and_then(|t| t.trace.exit_code())
    }

    pub(super) fn pump_traced(&mut self) -> bool {
        let mut n = 0;
        if self.status.run != RunState::Paused {
            let Some(t) = &self.traced else { return false };
            let rx = t.trace.items().clone();
            let until = Instant::now() + FOLD_PER_FRAME;
            for item in rx.try_iter() {
                match item {
                    Item::Event(ev) => {
                        self.history.push(&ev, &self.world);
                        self.world.apply(&ev);
                    }
                    Item::Problem(p) => self.world.problem(p),
                    Item::Output(line) => {
                        if let Some(t) = &mut self.traced {
                            t.late.push_back((Instant::now(), line));
                        }
                    }
                }
                n += 1;
                if n % 256 == 0 && Instant::now() >= until {
                    break;
                }
            }
        }
        if self.status.run != RunState::Paused {
            n += self.fold_stderr();
        }
        let Some(t) = &mut self.traced else {
            return false;
        };
        if self.status.run == RunState::Running {
            self.world.advance(t.trace.now());
            if t.trace.is_finished() && t.trace.items().is_empty() {
                self.status.run = RunState::Finished;
                if !t.told_end {
                    t.told_end = true;
                    let code = t.trace.exit_code().map_or("?".into(), |c| c.to_string());
                    self.status.flash =
                        Some(format!("the program ended: exit status {code}; q quits"));
                }
                self.dirty = true;
            }
        }
        n > 0 || self.dirty
    }

    /// What the program wrote to stderr (a traceback, say), once it has waited as long as
    /// its events do (all of it once the program has ended), into the log beside its prints;
    /// the first process's main lane carries it.
    fn fold_stderr(&mut self) -> usize {
        let Some(t) = &mut self.traced else { return 0 };
        let ended = t.trace.is_finished() && t.trace.items().is_empty();
        let mut lines = Vec::new();
        while let Some((came, _)) = t.late.front()
            && (ended || came.elapsed() >= HOLD)
        {
            lines.extend(t.late.pop_front().map(|x| x.1));
        }
        for line in &lines {
            let ev = Event {
                t: self.world.t,
                pid: 0,
                w: 0,
                op: Op::Say {
                    text: format!("stderr: {line}"),
                },
            };
            self.history.push(&ev, &self.world);
            self.world.apply(&ev);
        }
        lines.len()
    }

    pub(super) fn update_traced(&mut self, action: Action) {
        match action {
            Action::Quit | Action::Back if !(self.view.help || self.view.details) => {
                self.quit = true
            }
            Action::Back => {
                self.view.help = false;
                self.view.details = false;
            }
            Action::ToggleHelp => self.view.help = !self.view.help,
            Action::TogglePause => {
                self.status.run = match self.status.run {
                    RunState::Running => RunState::Paused,
                    RunState::Paused => RunState::Running,
                    RunState::Finished => RunState::Finished,
                };
            }
            Action::Left => self.scrub(-1),
            Action::Right => self.scrub(1),
            Action::Up => self.select(-1),
            Action::Down => self.select(1),
            Action::PageUp => self.view.object_scroll = self.view.object_scroll.saturating_sub(5),
            Action::PageDown => self.view.object_scroll += 5,
            Action::Enter => self.view.details = !self.view.details,
            _ => self
                .flash("a traced program runs on its own: no steps, versions or restarts".into()),
        }
    }

    /// Every key that applies to a traced program, for the help overlay.
    pub(super) fn traced_keys(&self) -> Vec<Hint> {
        vec![
            hint("space", "freeze the view / follow the program again"),
            hint("← →", "scrub a frozen or finished view"),
            hint("↑ ↓", "select a lane"),
            hint("pgup pgdn", "scroll the objects"),
            hint("enter", "details of the selected lane"),
            hint("?", "this help"),
            hint(
                "q esc ctrl-c",
                "quit: ends the program and every process it started",
            ),
            hint("ctrl-r", "record the screen to a .cast file"),
        ]
    }

    pub(super) fn traced_hints(&self) -> Vec<Hint> {
        let mut h = match self.status.run {
            RunState::Running => vec![hint("space", "freeze view")],
            RunState::Paused => vec![hint("space", "follow again"), hint("← →", "scrub")],
            RunState::Finished => vec![hint("q", "quit"), hint("← →", "scrub")],
        };
        h.extend([
            hint("↑↓", "lane"),
            hint("enter", "details"),
            hint("?", "help"),
        ]);
        if self.status.run != RunState::Finished {
            h.push(hint("q", "quit (ends the program)"));
        }
        h
    }
}

/// Runs the TUI on a traced program until the user quits. Returns the program's exit status
/// (it was ended if it still ran) and what it wrote, for the caller to print.
pub fn main_traced(trace: Trace) -> anyhow::Result<(Option<i32>, Captured)> {
    let signalled = Arc::new(AtomicBool::new(false));
    for sig in [
        signal_hook::consts::SIGTERM,
        signal_hook::consts::SIGHUP,
        signal_hook::consts::SIGINT,
    ] {
        signal_hook::flag::register(sig, signalled.clone())?;
    }
    let mut terminal = ratatui::try_init()?;
    super::install_panic_hook();
    let mut app = App::traced(trace);
    let result = run_loop(&mut terminal, &mut app, &signalled);
    ratatui::restore();
    result?;
    let t = app
        .traced
        .as_ref()
        .map(|t| (t.trace.exit_code(), t.trace.captured()));
    Ok(t.unwrap_or_default())
}
