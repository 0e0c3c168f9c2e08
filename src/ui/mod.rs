//! ui: draws the world and the view state with ratatui. A pure view: it reads `Screen` and
//! writes cells; it decides nothing the model should own. One file per panel; `theme` owns
//! every colour and glyph, `layout` every rectangle.
//!
//! Entry points: [`draw`] (the run screen) and [`draw_picker`] (the scenario picker). Both
//! draw at any terminal size without panicking; below 80×24 they say the terminal is too small, and that q quits.

pub mod caption;
pub mod deadlock;
pub mod details;
pub mod explain;
pub mod footer;
pub mod graph;
pub mod help;
pub mod lanes;
pub mod layout;
pub mod log;
pub mod marks;
pub mod objects;
pub mod picker;
pub mod put;
pub mod split;
pub mod status;
pub mod text;
pub mod theme;

pub use theme::Theme;

use crate::model::World;
use crate::scenarios::info::{Config, Info};
use crate::view::{Hint, NextOp, Status, View};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Clear, Paragraph};

/// The scenario picker (the first screen of `threadlanes`).
#[derive(Clone, Debug)]
pub struct Picker<'a> {
    pub scenarios: &'a [Info],
    pub selected: usize,
    /// The page of the selected scenario's description (`e`; wraps round).
    pub page: usize,
    pub theme: Theme,
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
    pub theme: Theme,
    /// Step mode: what each worker parked at the gate will do next, shown in its lane.
    pub next_ops: &'a [NextOp],
}

impl Screen<'_> {
    /// The label of the version this screen runs: "with lock" (its name if it has none).
    pub fn variant_label(&self) -> &'static str {
        self.info
            .variants
            .iter()
            .find(|v| v.name == self.config.variant)
            .map_or(self.config.variant, |v| v.label)
    }
}

/// Draws the run screen.
pub fn draw(frame: &mut Frame, screen: &Screen) {
    let area = frame.area();
    let theme = &screen.theme;
    if layout::too_small(area) {
        too_small(frame, area, theme);
        return;
    }
    let a = run_areas(area, screen);
    status::render(frame, a.status, screen);
    if let Some(b) = a.banner {
        deadlock::render_banner(frame, b, screen.world, theme);
    }
    lanes::render_folding(frame, a.lanes, screen, lane_rows(area, screen));
    if screen.view.details {
        details::render(frame, a.objects, screen);
    } else {
        objects::render(frame, a.objects, screen);
    }
    if screen.view.graph {
        graph::render(frame, a.log, screen.world, theme);
    } else {
        log::render(frame, a.log, screen.world, theme);
    }
    explain::render(frame, a.explain, screen);
    footer::render(frame, a.footer, screen.hints, theme);
    if let Some(c) = a.caption {
        caption::render(frame, c, screen.world, theme);
    }
    if screen.view.help {
        help::render(frame, area, screen.all_keys, theme);
    }
}

/// Draws the scenario picker.
pub fn draw_picker(frame: &mut Frame, picker: &Picker, hints: &[Hint]) {
    let area = frame.area();
    if layout::too_small(area) {
        too_small(frame, area, &picker.theme);
        return;
    }
    picker::render(frame, area, picker, hints);
}

/// The help overlay over the scenario picker: the picker's keys (`?` there).
pub fn draw_picker_help(frame: &mut Frame, keys: &[Hint], theme: &Theme) {
    let area = frame.area();
    if !layout::too_small(area) {
        help::render(frame, area, keys, theme);
    }
}

/// The run screen's panels; with captions on, the caption takes the row above the footer.
/// The lanes panel is as tall as its rows want once folded tasks are one row each.
fn run_areas(area: Rect, screen: &Screen) -> layout::RunAreas {
    let body = body(area, screen);
    let mut want = want_top(body, screen);
    let deadlock = screen.world.deadlock.is_some();
    if screen.world.tasks > 0 {
        let rows = lanes::rows(layout::run(body, deadlock, want).lanes);
        let folded = lanes::folded(screen.world, screen.view, rows);
        if !folded.is_empty() {
            let selected = screen.view.selected;
            let n = lanes::row_list(screen.world, &folded, selected).len();
            want.lanes = n.saturating_add(2).min(u16::MAX as usize) as u16;
        }
    }
    let mut a = layout::run(body, deadlock, want);
    if body.height < area.height {
        a.caption = Some(a.footer);
        a.footer = layout::row(area, area.height - 1);
    }
    a
}

/// The screen less the caption's row, with captions on.
fn body(area: Rect, screen: &Screen) -> Rect {
    let captions = screen.view.captions && area.height > layout::MIN_HEIGHT / 2;
    if captions {
        Rect {
            height: area.height - 1,
            ..area
        }
    } else {
        area
    }
}

/// The heights the lanes and objects panels would like, borders included, every lane shown.
fn want_top(area: Rect, screen: &Screen) -> layout::Want {
    let lanes = screen.world.workers.len().saturating_add(2);
    let width = layout::right_width(area.width).saturating_sub(2) as usize;
    let objects = if screen.view.details {
        details::HEIGHT
    } else {
        objects::height_wanted(screen.world, width, &screen.theme, area.height as usize)
    };
    let objects = objects.saturating_add(2);
    let cap = |n: usize| n.min(u16::MAX as usize) as u16;
    layout::Want {
        lanes: cap(lanes),
        objects: cap(objects),
    }
}

/// Lanes the run screen has room for at this terminal size with every lane shown: what the
/// app pages and scrolls by, and what decides whether a thread's tasks fold by default.
pub fn lane_rows(size: Rect, screen: &Screen) -> usize {
    if layout::too_small(size) {
        return 0;
    }
    let body = body(size, screen);
    let want = want_top(body, screen);
    lanes::rows(layout::run(body, screen.world.deadlock.is_some(), want).lanes)
}

/// A bordered block in the theme's glyphs, titled.
pub(crate) fn panel<'a>(title: impl Into<Line<'a>>, theme: &Theme) -> Block<'a> {
    Block::bordered()
        .border_set(theme.glyphs.border)
        .border_style(theme.border())
        .title(title.into().style(theme.heading()))
}

fn too_small(frame: &mut Frame, area: Rect, theme: &Theme) {
    let msg = format!(
        "terminal too small: need {}×{}, have {}×{}{}q quits",
        layout::MIN_WIDTH,
        layout::MIN_HEIGHT,
        area.width,
        area.height,
        theme.glyphs.sep,
    );
    let msg = if theme.glyphs.utf8 {
        msg
    } else {
        msg.replace('×', "x")
    };
    frame.render_widget(Clear, area);
    // As many rows as the words wrap to, so the key that quits is never below the box.
    let lines = text::wrap_words(&msg, usize::from(area.width)).len() as u16;
    let r = layout::centered(area, area.width, lines);
    frame.render_widget(
        Paragraph::new(msg)
            .style(theme.flash())
            .alignment(ratatui::layout::Alignment::Center)
            .wrap(ratatui::widgets::Wrap { trim: true }),
        r,
    );
}
