//! ui: draws the world and the view state with ratatui. A pure view: it reads `Screen` and
//! writes cells; it decides nothing the model should own. One file per panel.

use crate::model::World;
use crate::scenarios::info::{Config, Info};

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
    /// Step mode on (issue 5; false until then).
    pub step: bool,
    /// A message to show for a few seconds ("restarted", "speed ×2"), if any.
    pub flash: Option<String>,
}

/// View state: what the user is looking at. Owned by the app, changed only by actions.
#[derive(Clone, Debug, Default)]
pub struct View {
    /// Index into `world.workers` of the selected lane.
    pub selected: usize,
    /// First lane shown (the app keeps `selected` visible).
    pub lane_scroll: usize,
    pub help: bool,
    /// Details of the selected lane (enter).
    pub details: bool,
    /// First object shown in the objects panel (paging).
    pub object_scroll: usize,
}

/// One key hint for the footer and the help screen: "space" "pause".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hint {
    pub key: &'static str,
    pub what: String,
}

/// The scenario picker (the first screen of `threadlanes`).
#[derive(Clone, Debug)]
pub struct Picker<'a> {
    pub scenarios: &'a [Info],
    pub selected: usize,
}

/// Everything one frame of the run screen shows.
pub struct Screen<'a> {
    pub world: &'a World,
    pub info: &'a Info,
    pub config: &'a Config,
    pub status: &'a Status,
    pub view: &'a View,
    /// Keys that apply now, most useful first (the footer shows as many as fit).
    pub hints: &'a [Hint],
    /// Every key, for the help overlay.
    pub all_keys: &'a [Hint],
}
pub fn draw(_: &mut ratatui::Frame, _: &Screen) {}
pub fn draw_picker(_: &mut ratatui::Frame, _: &Picker, _: &[Hint]) {}
