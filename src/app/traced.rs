//! The app with a traced program as its event source instead of a scenario run: no gate,
//! no variants, no restart; the clock is the program's real time. Space freezes the view
//! (the program goes on; its events wait and are folded on resume), ← → scrub a frozen view,
//! q ends the program and all its children. The program is a [`TracedSource`], pumped,
//! frozen and stopped through the same path as a scenario; which keys work is
//! `App::controls`'s answer. This file only builds that App and says how it ended.

use super::App;
use crate::scenarios::Info;
use crate::source::Source;
use crate::source::traced::{Captured, Trace, TracedSource};

/// The traced program behind an App, with the words the screen shows for it.
pub(super) struct Traced {
    pub source: TracedSource,
    pub info: &'static Info,
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
            source: TracedSource::new(trace),
            info,
        });
        app
    }

    /// The traced program's exit status, once it has ended.
    pub fn traced_exit(&self) -> Option<i32> {
        self.traced.as_ref().and_then(|t| t.source.exit_status())
    }
}

/// Runs the TUI on a traced program until the user quits. Returns the program's exit status
/// (it was ended if it still ran) and what it wrote, for the caller to print.
pub fn main_traced(trace: Trace) -> anyhow::Result<(Option<i32>, Captured)> {
    let app = super::terminal::run(App::traced(trace))?;
    let t = app
        .traced
        .as_ref()
        .map(|t| (t.source.exit_status(), t.source.trace().captured()));
    Ok(t.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::{self, Action};
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    /// A traced App on a program that would run for a while (no Python needed).
    fn traced_app() -> App {
        let opts = crate::source::traced::Options {
            speed: 1.0,
            output: crate::source::traced::Output::Capture,
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
