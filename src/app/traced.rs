//! The app with a traced program as its event source (src/trace) instead of a scenario run:
//! no gate, no variants, no restart; the clock is the program's real time. Space freezes the
//! view (the program goes on; its events wait and are folded on resume), ← → scrub a frozen
//! view, q ends the program and all its children. Which keys work is `App::controls`'s
//! answer (none of the run's); this file only pumps the program's items into the fold.

use super::App;
use crate::event::{Event, Op};
use crate::scenarios::Info;
use crate::trace::{Captured, HOLD, Item, Trace};
use crate::view::RunState;
use std::collections::VecDeque;
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
                    self.flash_until = None;
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
}

/// Runs the TUI on a traced program until the user quits. Returns the program's exit status
/// (it was ended if it still ran) and what it wrote, for the caller to print.
pub fn main_traced(trace: Trace) -> anyhow::Result<(Option<i32>, Captured)> {
    let app = super::terminal::run(App::traced(trace))?;
    let t = app
        .traced
        .as_ref()
        .map(|t| (t.trace.exit_code(), t.trace.captured()));
    Ok(t.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::{self, Action};
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    /// A traced App on a program that would run for a while (no Python needed).
    fn traced_app() -> App {
        let opts = crate::trace::Options {
            speed: 1.0,
            output: crate::trace::Output::Capture,
            tui: true,
        };
        let argv = ["sleep".to_string(), "30".to_string()];
        App::traced(Trace::start(&argv, &opts).expect("sleep starts"))
    }

    /// q and Ctrl-C quit even while the details or the help are open; Esc closes them first.
    #[test]
    fn q_and_ctrl_c_quit_over_an_overlay() {
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        let q = KeyEvent::new(KeyCode::Char('q'), KeyModifiers::NONE);
        for key in [q, ctrl_c] {
            for open in [Action::ToggleHelp, Action::Enter] {
                let mut app = traced_app();
                app.update(open);
                app.update(Action::Back);
                assert!(!app.quit, "esc closes the overlay first");
                app.update(open);
                let a = keys::action_for(&key, app.in_picker()).expect("a bound key");
                app.update(a);
                assert!(app.quit, "{key:?} over {open:?} quits");
                app.stop_run();
            }
        }
    }

    /// A traced program offers no run control: those keys say why and change nothing.
    #[test]
    fn run_control_is_refused_with_a_reason() {
        let mut app = traced_app();
        app.update(Action::Restart);
        assert!(
            app.flash_text()
                .is_some_and(|f| f.contains("runs on its own"))
        );
        assert!(app.all_keys().iter().all(|h| h.key != "r"));
        app.stop_run();
    }
}
