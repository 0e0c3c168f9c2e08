//! A detached App: no live run behind it. The screencast recorder (src/record/screencast.rs)
//! folds the events in, moves the clock and sends keys through `update`, frame by frame, so a
//! seeded recording comes out the same byte for byte. These methods are the whole of what
//! it may do besides `update`; they must not be used on a live App.

use super::App;
use crate::cli::Plan;
use crate::event::{Event, WorkerId};
use crate::runner::Mode;
use crate::source::Item;
use crate::view::RunState;

impl App {
    /// An App on `plan`'s scenario with no live run: the recorder folds the events in with
    /// `feed` and moves the clock with `clock_to`, frame by frame, so a seeded screencast
    /// comes out the same byte for byte. Keys go through `update` as in the TUI; one that
    /// restarts the run (r R v n p [ ]) leaves the new plan for [`App::take_restart`].
    pub fn detached(plan: Plan) -> App {
        let mut app = App::blank(plan.options);
        app.choose(&plan);
        app.unstepped = match plan.options.mode {
            Mode::Step => Mode::Seeded,
            m => m,
        };
        app.detached = true;
        // Screencasts are often watched without sound: they narrate by default.
        app.view.captions = true;
        app
    }

    /// Folds one event of the run into the world and the scrub history, as `pump` folds a
    /// live source's.
    pub fn feed(&mut self, ev: Event) {
        super::run::fold_item(Some(&mut self.history), &mut self.world, Item::Event(ev));
        self.dirty = true;
    }

    /// Detached: moves the world's clock to `t` (virtual ns).
    pub fn clock_to(&mut self, t: u64) {
        self.world.advance(t);
    }

    /// Detached: the run behind the App has ended; a running view shows it finished.
    pub fn source_ended(&mut self) {
        if self.status.run == RunState::Running {
            self.status.run = RunState::Finished;
        }
    }

    /// Detached: selects worker `w`'s lane (the seeded schedule chose it).
    pub fn select_worker(&mut self, w: WorkerId) {
        if let Some(i) = self.world.workers.iter().position(|x| x.id == w) {
            self.view.selected = i;
        }
    }

    /// Detached: draws in `theme` instead of the environment's (a snapshot test pins it).
    pub fn use_theme(&mut self, theme: crate::ui::Theme) {
        self.theme = theme;
    }

    /// Detached: the flash has shown long enough (the recorder keeps its own time).
    pub fn clear_flash(&mut self) {
        self.status.flash = None;
        self.flash_until = None;
    }

    /// Detached: the plan a key restarted the run with, once; the caller starts it.
    pub fn take_restart(&mut self) -> Option<Plan> {
        self.restarted.take()
    }
}

/// A seed that follows `seed` (for `r` in a recording: a fresh seed, but the same one on
/// every recording). Short, like `cli::fresh_seed`'s.
pub(super) fn next_seed(seed: u64) -> u64 {
    let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    (z ^ (z >> 31)) % 100_000
}
