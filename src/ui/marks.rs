//! Who woke whom, on the timelines: for each wake-up in view, a mark in the waker's lane and
//! one in the woken lane, each at the column of its own instant (the same column when the
//! hand-off took less than a cell), and the object's name written over the wait it ended.
//! Also the small bar of a lane's share of time running, blocked and sleeping.

use super::Theme;
use crate::event::WorkerId;
use crate::model::spark::Shares;
use crate::model::{Phase, World};
use ratatui::style::Style;
use ratatui::text::Span;

/// What is drawn over one timeline cell instead of its phase: a mark, or one letter of the
/// name written over a wait.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mark {
    Glyph(&'static str),
    Letter(char),
}

pub type Overlay = Vec<Option<(Mark, Style)>>;

/// The timeline's window: `cells` cells of `step` ns ending at `end`.
#[derive(Clone, Copy, Debug)]
pub struct Window {
    pub end: u64,
    pub step: u64,
    pub cells: usize,
}

impl Window {
    fn start(&self) -> u64 {
        self.end
            .saturating_sub(self.step.saturating_mul(self.cells as u64))
    }

    /// The cell that holds instant `t`, if it is in view.
    fn col(&self, t: u64) -> Option<usize> {
        let start = self.start();
        if t < start || t >= self.end {
            return None;
        }
        Some(((t - start) / self.step.max(1)) as usize).filter(|&c| c < self.cells)
    }
}

/// The overlay of lane `w`: marks of its wake-ups and of the ones it caused.
pub fn overlay(world: &World, w: WorkerId, win: Window, theme: &Theme) -> Overlay {
    let g = &theme.glyphs;
    let style = theme.cause();
    let mut out: Overlay = vec![None; win.cells];
    if win.cells == 0 {
        return out;
    }
    let start = win.start();
    for k in world.causes.recent.iter().rev() {
        if k.t < start && k.by_t < start {
            break;
        }
        // A wait shorter than a cell does not show as a block: marking it would only bury
        // the lanes' glyphs under marks (a busy lock hands off every few milliseconds).
        if k.t.saturating_sub(k.since) < win.step {
            continue;
        }
        if k.by == w
            && let Some(c) = win.col(k.by_t)
        {
            out[c] = Some((Mark::Glyph(g.waker), style));
        }
        if k.woken != w {
            continue;
        }
        let Some(c) = win.col(k.t) else {
            continue;
        };
        out[c] = Some((Mark::Glyph(g.woke), style));
        // The name over the wait, ending just before the mark, if the wait is long enough.
        let name = match k.o {
            Some(o) => world.object_name(o),
            None => world.worker_name(k.by),
        };
        // One letter a cell: only names whose every letter takes one cell.
        let from = win.col(k.since).unwrap_or(0);
        let len = name.chars().count();
        if c > from && c - from > len && super::text::width(name) == len {
            for (i, ch) in name.chars().enumerate() {
                let at = c - len + i;
                if out[at].is_none() {
                    out[at] = Some((Mark::Letter(ch), style));
                }
            }
        }
    }
    out
}

/// Timeline cells as spans: runs of one phase, the overlay's marks in their cells.
pub fn spans(cells: &[Phase], over: &Overlay, theme: &Theme) -> Vec<Span<'static>> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < cells.len() {
        // A failure's mark stays: it says more than who it woke.
        let mark = over
            .get(i)
            .copied()
            .flatten()
            .filter(|_| cells[i] != Phase::Failed);
        if let Some((m, style)) = mark {
            out.push(match m {
                Mark::Glyph(g) => Span::styled(g, style),
                Mark::Letter(c) => Span::styled(c.to_string(), style),
            });
            i += 1;
            continue;
        }
        let p = cells[i];
        let mut j = i;
        while j < cells.len()
            && cells[j] == p
            && (p == Phase::Failed || over.get(j).copied().flatten().is_none())
        {
            j += 1;
        }
        out.push(Span::styled(
            theme.glyphs.phase(p).repeat(j - i),
            theme.phase(p),
        ));
        i = j;
    }
    out
}

/// Cells of the share bar.
pub const SHARE_CELLS: usize = 5;

/// A lane's share of time as a small bar of phase glyphs: running, blocked, sleeping.
pub fn share_bar(s: Shares, theme: &Theme) -> Vec<Span<'static>> {
    let cells = |pct: u8| (pct as usize * SHARE_CELLS + 50) / 100;
    let parts = [
        (Phase::Running, cells(s.running)),
        (Phase::Blocked, cells(s.blocked)),
        (Phase::Sleeping, cells(s.sleeping)),
    ];
    let mut used = 0;
    let mut out = Vec::new();
    for (p, n) in parts {
        let n = n.min(SHARE_CELLS - used);
        if n > 0 {
            out.push(Span::styled(
                theme.glyphs.phase(p).repeat(n),
                theme.phase(p),
            ));
        }
        used += n;
    }
    out.push(Span::raw(" ".repeat(SHARE_CELLS - used)));
    out
}
