//! view: the values the app owns and hands the ui to draw — whether the run moves
//! ([`RunState`]), the status line's facts ([`Status`]), what the user looks at ([`View`]),
//! what parked workers will do next ([`NextOp`]) and the keys that apply ([`Hint`]).
//!
//! Why a module of its own, below both: the app changes these and the ui reads them (they
//! are the ui's input contract, gathered in `ui::Screen`). Kept in `ui`, they made the ui
//! the owner of the app's state; kept in `app`, the ui would import from the layer above
//! it. Here both point down at plain data. No logic lives here: no drawing, no key
//! handling, no run control; it imports only what the data names (a worker id, a mode).

use crate::event::WorkerId;
use crate::runner::Mode;

/// Whether the run is moving.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunState {
    Running,
    Paused,
    /// Every worker has ended.
    Finished,
}

/// The status line's facts, owned by the app.
#[derive(Clone, Debug)]
pub struct Status {
    pub run: RunState,
    /// ×0.1 … ×10.
    pub speed: f64,
    pub seed: u64,
    /// Who schedules: the OS (free), the user (step) or the seed (seeded).
    pub mode: Mode,
    /// While scrubbing: where the cursor is, in words ("event 120 of 480 · 3.20s · job1
    /// acquired lock A"); the world drawn is the world as it was then.
    pub scrub: Option<String>,
    /// A message to show for a few seconds ("restarted", "speed ×2"), if any.
    pub flash: Option<String>,
    /// Events the source could not hand on because the viewer fell behind (a traced
    /// program's flood): the status line says so while it is more than 0.
    pub dropped: u64,
}

/// What the user is looking at. Owned by the app, changed only by actions.
#[derive(Clone, Debug, Default)]
pub struct View {
    /// Index into `world.workers` of the selected lane (the lanes scroll to show it).
    pub selected: usize,
    pub help: bool,
    /// Details of the selected lane (enter).
    pub details: bool,
    /// The wait-for graph in place of the log (`g`).
    pub graph: bool,
    /// The caption line narrating the last significant event (`c`).
    pub captions: bool,
    /// First object shown in the objects panel (paging).
    pub object_scroll: usize,
    /// Which page of the explanation shows where it does not fit (`e`; wraps round).
    pub explain_page: usize,
    /// Threads whose tasks the user folded into one summary row (`true`) or unfolded
    /// (`false`) with `t`. A thread not named here has its tasks folded when they are more
    /// than the lanes panel has rows (`ui::lanes::folded`).
    pub folds: Vec<(WorkerId, bool)>,
    /// The timelines' time a cell, as an index into [`CELL_NS`] (`z` turns it).
    pub zoom: usize,
}

/// The times a timeline cell can stand for (`z`): the first shows 100 ms steps, the others
/// a whole run's shape at 80 columns (a light red for 3 s, a staircase of holders).
pub const CELL_NS: [u64; 4] = [100_000_000, 250_000_000, 500_000_000, 1_000_000_000];

impl View {
    /// The timelines' time a cell now.
    pub fn cell_ns(&self) -> u64 {
        CELL_NS[self.zoom % CELL_NS.len()]
    }
}

/// One key hint for the footer and the help screen: "space" "pause".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hint {
    pub key: &'static str,
    pub what: String,
}

/// A worker parked at the gate in step mode: its next operation, and whether it can go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NextOp {
    pub w: WorkerId,
    /// "next: acquire lock A", or why it cannot go.
    pub text: String,
    pub ready: bool,
    /// Briefer words for a narrow lane, where there are any ("then: wrote balance = 8").
    pub brief: Option<String>,
}
