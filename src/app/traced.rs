//! The app with a traced program as its event source (src/trace) instead of a scenario run:
//! no gate, no variants, no restart; the clock is the program's real time. Space freezes the
//! view (the program goes on; its events wait and are folded on resume), ← → scrub a frozen
//! view, q ends the program and all its children. Which keys work is `App::controls`'s
//! answer (none of the run's): the program is a [`Source`] like a scenario run, and the App
//! pumps it through the same path.

use super::App;
use crate::scenarios::Info;
use crate::source::{Controls, Item as SourceItem, Source};
use crate::trace::{Captured, HOLD, Item, Trace};
use std::collections::VecDeque;
use std::time::{Duration, Instant};

pub(super) struct Traced {
    pub trace: Trace,
    pub info: &'static Info,
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
            late: VecDeque::new(),
        });
        app
    }

    /// The traced program's exit status, once it has ended.
    pub fn traced_exit(&self) -> Option<i32> {
        self.traced.as_ref().and_then(|t| t.exit_status())
    }
}

impl Traced {
    /// Hands on the stderr lines that have waited as long as the events do (all of them
    /// once the program has ended): they go in the log beside its prints.
    fn release_late(&mut self, fold: &mut dyn FnMut(SourceItem)) -> usize {
        let ended = self.trace.is_finished() && self.trace.items().is_empty();
        let mut n = 0;
        while let Some((came, _)) = self.late.front()
            && (ended || came.elapsed() >= HOLD)
        {
            if let Some((_, line)) = self.late.pop_front() {
                fold(SourceItem::Output(line));
                n += 1;
            }
        }
        n
    }
}

/// A traced program as a source: it runs on its own (no pause, step, speed or restart);
/// its clock is the program's real time.
impl Source for Traced {
    fn drain(&mut self, budget: Duration, fold: &mut dyn FnMut(SourceItem)) -> usize {
        let until = Instant::now() + budget;
        let rx = self.trace.items().clone();
        let mut n = 0;
        for item in rx.try_iter() {
            match item {
                Item::Event(ev) => fold(SourceItem::Event(ev)),
                Item::Problem(p) => fold(SourceItem::Problem(p)),
                // Its stderr waits as long as its events are held (see `late`).
                Item::Output(line) => self.late.push_back((Instant::now(), line)),
            }
            n += 1;
            if n % 256 == 0 && Instant::now() >= until {
                break;
            }
        }
        n + self.release_late(fold)
    }

    fn wait(&mut self, timeout: Duration, fold: &mut dyn FnMut(SourceItem)) -> usize {
        let rx = self.trace.items().clone();
        match rx.recv_timeout(timeout) {
            Ok(Item::Event(ev)) => fold(SourceItem::Event(ev)),
            Ok(Item::Problem(p)) => fold(SourceItem::Problem(p)),
            Ok(Item::Output(line)) => self.late.push_back((Instant::now(), line)),
            Err(_) => return self.release_late(fold),
        }
        1 + self.drain(timeout, fold)
    }

    fn now(&self) -> u64 {
        self.trace.now()
    }

    fn is_finished(&self) -> bool {
        self.trace.is_finished() && self.trace.items().is_empty() && self.late.is_empty()
    }

    fn cancel(&self) {
        self.trace.signal(libc::SIGTERM);
    }

    fn stop(&mut self, within: Duration) -> bool {
        self.trace.stop(within);
        self.trace.is_finished()
    }

    fn controls(&self) -> Controls {
        Controls::default()
    }

    fn exit_status(&self) -> Option<i32> {
        self.trace.exit_code()
    }

    fn signal(&self, sig: i32) {
        self.trace.signal(sig);
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
