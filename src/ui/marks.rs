//! Who woke whom, on the timelines: for each wake-up in view, a mark in the waker's lane and
//! one in the woken lane, each at the column of its own instant (the same column when the
//! hand-off took less than a cell), and the object's name written over the wait it ended.
//! Also the small bar of a lane's share of time running, blocked and sleeping, held or not.

use super::Theme;
use crate::event::WorkerId;
use crate::model::spark::Shares;
use crate::model::{Phase, World};
use ratatui::buffer::Buffer;
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

/// The overlays of lanes `ws` (one each, in that order): marks of their wake-ups and of the
/// ones they caused. One pass over the recent wake-ups for all of them: a busy run keeps
/// thousands in view, and a pass per lane was a good part of a frame.
pub fn overlays(world: &World, ws: &[WorkerId], win: Window, theme: &Theme) -> Vec<Overlay> {
    let g = &theme.glyphs;
    let style = theme.cause();
    let mut out: Vec<Overlay> = vec![vec![None; win.cells]; ws.len()];
    if win.cells == 0 || ws.is_empty() {
        return out;
    }
    let lane = |w: WorkerId| ws.iter().position(|&x| x == w);
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
        if let Some(i) = lane(k.by)
            && let Some(c) = win.col(k.by_t)
        {
            out[i][c] = Some((Mark::Glyph(g.waker), style));
        }
        let Some(i) = lane(k.woken) else {
            continue;
        };
        let Some(c) = win.col(k.t) else {
            continue;
        };
        let over = &mut out[i];
        over[c] = Some((Mark::Glyph(g.woke), style));
        // The name over the wait, ending just before the mark, if the wait is long enough.
        let name = match k.o {
            Some(o) => world.object_name(o),
            None => world.worker_name(k.by),
        };
        // One letter a cell: only names whose every letter takes one cell.
        let from = win.col(k.since).unwrap_or(0);
        let len = name.chars().count();
        if c > from && c - from > len && super::text::width(name) == len {
            for (j, ch) in name.chars().enumerate() {
                let at = c - len + j;
                if over[at].is_none() {
                    over[at] = Some((Mark::Letter(ch), style));
                }
            }
        }
    }
    out
}

/// One lane's timeline cells: the phase of each and, where the lane held something, the
/// phase it held it in (the model's [`held_cells`](crate::model::Timeline::held_cells)).
pub struct Cells<'a> {
    pub phases: &'a [Phase],
    pub held: &'a [Option<Phase>],
}

/// Writes timeline cells into `buf` from `at`, at most `width` columns: one phase glyph a
/// cell (the held form where the lane held something), the overlay's marks in their cells,
/// each cell's style over `base` (the row's: the selection). Straight into the buffer, not
/// through spans and a paragraph: the timelines are most of a frame's cells, and this draws
/// what the paragraph drew, cell for cell.
pub fn put(
    buf: &mut Buffer,
    at: (u16, u16),
    width: u16,
    cells: Cells,
    over: &Overlay,
    theme: &Theme,
    base: Style,
) {
    let (mut x, y) = at;
    let end = x.saturating_add(width).min(buf.area.right());
    if x >= end {
        return;
    }
    let row = buf.index_of(x, y);
    let mut letter = [0u8; 4];
    for (i, &p) in cells.phases.iter().enumerate() {
        if x >= end {
            break;
        }
        // A failure's or a kill's mark stays: it says more than who it woke.
        let mark = over
            .get(i)
            .copied()
            .flatten()
            .filter(|_| !matches!(p, Phase::Failed | Phase::Killed));
        let (glyph, style) = match mark {
            Some((Mark::Glyph(g), style)) => (g, style),
            Some((Mark::Letter(c), style)) => (&*c.encode_utf8(&mut letter), style),
            None => match cells.held.get(i).copied().flatten() {
                Some(h) => (theme.glyphs.held(h), theme.held(h)),
                None => (theme.glyphs.phase(p), theme.phase(p)),
            },
        };
        let style = base.patch(style);
        if glyph.len() == 1 || (glyph.chars().count() == 1 && super::text::width(glyph) == 1) {
            // One character one cell wide (every phase glyph): no segmenting needed.
            // Cells of a row are contiguous: index the row once, not each cell.
            buf.content[row + usize::from(x - at.0)]
                .set_symbol(glyph)
                .set_style(style);
            x += 1;
        } else {
            x = buf.set_stringn(x, y, glyph, (end - x) as usize, style).0;
        }
    }
}

/// Cells of the share bar.
pub const SHARE_CELLS: usize = 5;

/// What a lane held, as shares of its life in percent: running while holding (its critical
/// sections), and holding while not running (asleep, waiting or blocked with a lock).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Held {
    pub running: u8,
    pub idle: u8,
}

impl Held {
    /// From the lane's shares and its time running while holding (`critical_pct`).
    pub fn of(s: Shares, critical_pct: u8) -> Held {
        Held {
            running: critical_pct.min(s.running),
            idle: s.holding.saturating_sub(critical_pct),
        }
    }
}

/// A lane's share of time as a small bar of phase glyphs: running, blocked, sleeping, each
/// part drawn held where the lane held a lock meanwhile (its critical sections first in the
/// running part, a hold while not running in the sleeping part, then the blocked part), so
/// the bar agrees with the timeline and the details. Cells go by largest remainder, so
/// shares that make the whole life fill the whole bar.
pub fn share_bar(s: Shares, held: Held, theme: &Theme) -> Vec<Span<'static>> {
    let g = &theme.glyphs;
    let [run, block, sleep] = apportion([s.running, s.blocked, s.sleeping], SHARE_CELLS);
    let cells = |pct: u8| (pct as usize * SHARE_CELLS + 50) / 100;
    let crit = cells(held.running).min(run);
    let held_sleep = cells(held.idle).min(sleep);
    // Only whole cells spill over to the blocked part: a rounding must not draw a block
    // while holding that never was.
    let whole = held.idle as usize * SHARE_CELLS / 100;
    let held_block = whole.saturating_sub(held_sleep).min(block);
    let parts = [
        (g.phase(Phase::Critical), theme.phase(Phase::Critical), crit),
        (
            g.phase(Phase::Running),
            theme.phase(Phase::Running),
            run - crit,
        ),
        (
            g.phase(Phase::Blocked),
            theme.phase(Phase::Blocked),
            block - held_block,
        ),
        (
            g.held(Phase::Blocked),
            theme.held(Phase::Blocked),
            held_block,
        ),
        (
            g.held(Phase::Sleeping),
            theme.held(Phase::Sleeping),
            held_sleep,
        ),
        (
            g.phase(Phase::Sleeping),
            theme.phase(Phase::Sleeping),
            sleep - held_sleep,
        ),
    ];
    let mut out = Vec::new();
    for (glyph, style, n) in parts {
        if n > 0 {
            out.push(Span::styled(glyph.repeat(n), style));
        }
    }
    let used = run + block + sleep;
    out.push(Span::raw(" ".repeat(SHARE_CELLS.saturating_sub(used))));
    out
}

/// `cells` cells shared out by percent: the total rounded, then each part its whole cells
/// and the cells left over to the largest remainders (the first of equals). Rounding each
/// part alone loses cells: three shares of 33% would fill 3 cells of 5, not 5.
fn apportion(pcts: [u8; 3], cells: usize) -> [usize; 3] {
    // Shares that add up to more than the whole (each is clamped alone) share it out.
    let sum: usize = pcts.iter().map(|p| *p as usize).sum();
    let whole = sum.max(100);
    let total = (sum * cells + whole / 2) / whole;
    let mut out = [0; 3];
    let mut rem = [0; 3];
    for (i, p) in pcts.iter().enumerate() {
        let exact = *p as usize * cells;
        out[i] = exact / whole;
        rem[i] = exact % whole;
    }
    let mut left = total.saturating_sub(out.iter().sum());
    while left > 0 {
        let Some(i) = (0..3)
            .filter(|i| rem[*i] > 0)
            .max_by_key(|i| (rem[*i], 3 - i))
        else {
            break;
        };
        out[i] += 1;
        rem[i] = 0;
        left -= 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bar(s: Shares, critical: u8) -> String {
        let spans = share_bar(s, Held::of(s, critical), &Theme::plain());
        spans.iter().map(|x| x.content.as_ref()).collect()
    }

    #[test]
    fn the_share_bar_draws_a_hold_where_the_lane_held() {
        let asleep_holding = Shares {
            sleeping: 100,
            holding: 100,
            ..Shares::default()
        };
        assert_eq!(bar(asleep_holding, 0), "▀▀▀▀▀");
        let queued_then_held = Shares {
            blocked: 60,
            sleeping: 40,
            holding: 40,
            ..Shares::default()
        };
        assert_eq!(bar(queued_then_held, 0), "▒▒▒▀▀");
        let worked_holding = Shares {
            running: 60,
            sleeping: 40,
            holding: 60,
            ..Shares::default()
        };
        assert_eq!(bar(worked_holding, 60), "███··");
        let plain = Shares {
            running: 20,
            blocked: 40,
            sleeping: 40,
            holding: 0,
        };
        assert_eq!(bar(plain, 0), "▄▒▒··");
    }

    #[test]
    fn a_whole_life_fills_the_whole_share_bar() {
        assert_eq!(apportion([25, 25, 49], 5), [1, 1, 3]);
        assert_eq!(apportion([33, 33, 33], 5), [2, 2, 1]);
        assert_eq!(apportion([13, 82, 0], 5), [1, 4, 0]);
        assert_eq!(apportion([100, 0, 0], 5), [5, 0, 0]);
        assert_eq!(apportion([0, 0, 0], 5), [0, 0, 0]);
        assert_eq!(apportion([100, 100, 100], 5), [2, 2, 1]);
        assert_eq!(apportion([100, 60, 0], 5), [3, 2, 0]);
        for a in 0..=100u8 {
            for b in 0..=(100 - a) {
                let c = 100 - a - b;
                let n: usize = apportion([a, b, c], 5).iter().sum();
                assert_eq!(n, 5, "{a} {b} {c}");
            }
        }
    }
}
