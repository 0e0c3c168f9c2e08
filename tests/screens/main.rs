//! The screens drawn with `Theme::plain()` (or `Theme::ascii()`) into ratatui's
//! `TestBackend` from worlds folded out of hand-written event streams: one module per screen
//! or panel, each test a [`Shot`] drawn and its text checked or snapshotted
//! ([`assert_screen!`]), and sweeps of every screen over terminal sizes from 1×1 to 300×100
//! that must never panic.
//!
//! One test binary, not one per screen: each binary costs a link.

#[path = "../common/state.rs"]
mod state;

#[path = "../common/app.rs"]
#[allow(dead_code)] // the pty tests' helpers too
mod app;

mod fixtures;

mod coroutines;
mod deadlock;
mod details;
mod help;
mod lanes;
mod log;
mod objects;
mod picker;
mod real;
mod run;
mod sizes;
mod split;
mod status;
mod sync_objects;

use fixtures::{all_keys, hints, status};
use ratatui::backend::TestBackend;
use ratatui::{Frame, Terminal};
use state::{RunState, Screen, Status, View};
use threadlanes::model::World;
use threadlanes::scenarios::info::{Config, Info};
use threadlanes::ui::{self, Theme};

/// Draws a [`Shot`] and asserts its snapshot, named for the test that calls it and kept
/// with every snapshot under `tests/snapshots/`; gives the screen's text back for more checks.
macro_rules! assert_screen {
    ($shot:expr) => {{
        let s = $shot.text();
        insta::with_settings!({ snapshot_path => "../snapshots" }, {
            insta::assert_snapshot!(s);
        });
        s
    }};
}
pub(crate) use assert_screen;

/// One run screen to draw: `world` under `info`, at 100×30, running, in the plain theme, with
/// the default view and the fixtures' hints, unless the test says otherwise.
pub struct Shot<'a> {
    world: &'a World,
    info: &'a Info,
    view: View,
    status: Status,
    theme: Theme,
    size: (u16, u16),
    /// Footer hints and the help's keys; a screen without them draws no key names.
    keys: bool,
    /// The twin drawn beside this run (side by side), if any.
    twin: Option<ui::split::Pane<'a>>,
}

impl<'a> Shot<'a> {
    pub fn run(world: &'a World, info: &'a Info) -> Shot<'a> {
        Shot {
            world,
            info,
            view: View::default(),
            status: status(RunState::Running),
            theme: Theme::plain(),
            size: (100, 30),
            keys: true,
            twin: None,
        }
    }

    pub fn view(self, view: View) -> Self {
        Shot { view, ..self }
    }

    pub fn state(self, run: RunState) -> Self {
        self.status(status(run))
    }

    pub fn status(self, status: Status) -> Self {
        Shot { status, ..self }
    }

    pub fn ascii(self) -> Self {
        Shot {
            theme: Theme::ascii(),
            ..self
        }
    }

    pub fn size(self, w: u16, h: u16) -> Self {
        Shot {
            size: (w, h),
            ..self
        }
    }

    pub fn without_keys(self) -> Self {
        Shot {
            keys: false,
            ..self
        }
    }

    /// Side by side: this run and `twin`, another version of it.
    pub fn beside(self, twin: ui::split::Pane<'a>) -> Self {
        Shot {
            twin: Some(twin),
            ..self
        }
    }

    /// Calls `f` with the [`Screen`] this shot draws.
    pub fn with_screen<R>(&self, f: impl FnOnce(&Screen) -> R) -> R {
        let config = Config::default_for(self.info);
        let (hints, keys) = if self.keys {
            (hints(), all_keys())
        } else {
            (vec![], vec![])
        };
        let screen = Screen {
            world: self.world,
            info: self.info,
            config: &config,
            status: &self.status,
            view: &self.view,
            hints: &hints,
            all_keys: &keys,
            next_ops: &[],
            theme: self.theme,
        };
        f(&screen)
    }

    /// Draws into `term` (its size, not the shot's).
    pub fn draw_into(&self, term: &mut Terminal<TestBackend>) {
        term.draw(|f| self.draw(f)).expect("draw");
    }

    /// The screen as text, one line per row, trailing spaces cut.
    pub fn text(&self) -> String {
        let (w, h) = self.size;
        draw_text(w, h, |f| self.draw(f))
    }

    fn draw(&self, f: &mut Frame) {
        self.with_screen(|screen| match self.twin {
            Some(twin) => ui::split::draw(f, screen, twin),
            None => ui::draw(f, screen),
        })
    }
}

/// A `w`×`h` terminal drawn once by `draw`, as text.
pub fn draw_text(w: u16, h: u16, draw: impl FnOnce(&mut Frame)) -> String {
    let mut term = Terminal::new(TestBackend::new(w, h)).expect("test backend");
    term.draw(draw).expect("draw");
    buffer_text(&term)
}

/// The buffer as text, one line per row, trailing spaces cut.
pub fn buffer_text(term: &Terminal<TestBackend>) -> String {
    let buf = term.backend().buffer();
    let area = buf.area;
    let mut out = String::new();
    for y in 0..area.height {
        let mut line = String::new();
        let mut skip = 0;
        for x in 0..area.width {
            // A wide character covers the next cell too; that cell is not part of the text.
            if skip > 0 {
                skip -= 1;
                continue;
            }
            let sym = buf[(x, y)].symbol();
            skip = ratatui::text::Span::raw(sym).width().saturating_sub(1);
            line.push_str(sym);
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// The first row of `screen` holding `needle`; panics with the screen when none does.
pub fn row_with<'a>(screen: &'a str, needle: &str) -> &'a str {
    screen
        .lines()
        .find(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("no line with {needle:?} in\n{screen}"))
}

/// Panics with the screen unless it shows every one of `needles`.
pub fn contains_all(s: &str, needles: &[&str]) {
    for n in needles {
        assert!(s.contains(n), "no {n:?} in\n{s}");
    }
}
