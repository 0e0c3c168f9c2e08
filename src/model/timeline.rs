//! Per-lane history as run-length segments: one entry per change of phase (or of holding
//! something), not per event, and at most `cap` entries (the oldest are dropped), so memory
//! stays bounded however long a run. A segment is packed in one word (8 bytes): 1,000 lanes
//! of the default 4,096 segments are 32 MB, and the fold touches half the cache lines it
//! would with a 16-byte segment.

use std::collections::VecDeque;
use std::sync::Mutex;

/// What a lane is doing, coarse enough to draw as one cell.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Phase {
    /// Declared but not started, or already gone: nothing to draw.
    #[default]
    Idle,
    Sleeping,
    Running,
    /// Running while holding a lock or a semaphore slot: inside a critical section.
    Critical,
    /// Waiting for a signal: an event, a condition, a join, a barrier, a queue's join.
    Waiting,
    /// Blocked by contention: a held lock, no free slot, a full or empty queue.
    Blocked,
    Done,
    /// Ended by a panic or a cancel.
    Failed,
    /// Parked at the step gate (a traced program's threads in step mode): the program's
    /// clock runs on while the user decides.
    Parked,
    /// Ended from outside: a daemon thread when its program ends, a terminated process.
    /// Not a failure of its own (often the lesson's point), so not drawn as one.
    Killed,
}

impl Phase {
    /// Which phase wins when several fall in one drawn cell: short blocks must stay visible.
    fn weight(self) -> u8 {
        match self {
            Phase::Idle => 0,
            Phase::Parked => 1,
            Phase::Done => 2,
            Phase::Sleeping => 3,
            Phase::Running => 4,
            Phase::Critical => 5,
            Phase::Waiting => 6,
            Phase::Blocked => 7,
            Phase::Killed => 8,
            Phase::Failed => 9,
        }
    }
}

impl Phase {
    /// Every phase, in the order of their codes.
    pub const ALL: [Phase; 10] = [
        Phase::Idle,
        Phase::Sleeping,
        Phase::Running,
        Phase::Critical,
        Phase::Waiting,
        Phase::Blocked,
        Phase::Done,
        Phase::Failed,
        Phase::Parked,
        Phase::Killed,
    ];
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Segment {
    pub start: u64,
    pub phase: Phase,
    /// The lane holds a lock or a semaphore slot through this segment, whatever its phase
    /// (a sleep or a wait while holding is still holding).
    pub held: bool,
}

impl Segment {
    /// Whether its time counts as holding: held while alive (a lane that ended holding a lock
    /// abandoned it; it no longer holds anything in time).
    fn holds(self) -> bool {
        self.held
            && !matches!(
                self.phase,
                Phase::Idle | Phase::Done | Phase::Failed | Phase::Killed
            )
    }
}

/// A segment in one word: whether it is held in the top bit, the phase in the next 4, the
/// start (virtual ns) in the low 59 (18 years of virtual time; a later start is clamped
/// there).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Packed(u64);

const START_BITS: u32 = 59;
const START_MAX: u64 = (1 << START_BITS) - 1;
const HELD: u64 = 1 << 63;
const _: () = assert!(Phase::ALL.len() <= 16, "a phase fits in 4 bits");

impl Packed {
    fn new(start: u64, phase: Phase, held: bool) -> Packed {
        let held = if held { HELD } else { 0 };
        Packed(start.min(START_MAX) | (phase as u64) << START_BITS | held)
    }

    fn start(self) -> u64 {
        self.0 & START_MAX
    }

    fn phase(self) -> Phase {
        Phase::ALL[(self.0 >> START_BITS) as usize & 15]
    }

    fn held(self) -> bool {
        self.0 & HELD != 0
    }

    /// The same state: phase and holding.
    fn same(self, phase: Phase, held: bool) -> bool {
        self.phase() == phase && self.held() == held
    }

    fn unpack(self) -> Segment {
        Segment {
            start: self.start(),
            phase: self.phase(),
            held: self.held(),
        }
    }
}

/// Adds `ns` of segment `s` to the running totals (or takes them off, with `sub`).
fn tally_time(spent: &mut [u64; Phase::ALL.len()], held: &mut u64, s: Segment, ns: u64, sub: bool) {
    if s.phase == Phase::Idle {
        return;
    }
    let change = |x: &mut u64| {
        *x = if sub {
            x.saturating_sub(ns)
        } else {
            x.saturating_add(ns)
        }
    };
    change(&mut spent[s.phase as usize]);
    if s.holds() {
        change(held);
    }
}

#[derive(Debug)]
pub struct Timeline {
    segs: VecDeque<Packed>,
    cap: usize,
    /// Nanoseconds spent in each phase by the segments that have ended, over the whole
    /// life (not only what is kept), and when the first phase other than Idle began: shares
    /// of time in O(1) however long the lane.
    spent: [u64; Phase::ALL.len()],
    /// The same for the time spent holding something, whatever the phase.
    held: u64,
    busy_since: Option<u64>,
    /// Cells already drawn that can no longer change, kept from frame to frame so a frame
    /// walks only the segments of its newest cells (see [`Timeline::cells`]). A cache, not
    /// state: behind a mutex so `cells` can fill it through `&self` and the world stays
    /// `Sync`; a clone starts without it.
    drawn: Mutex<CellCache>,
}

impl Clone for Timeline {
    fn clone(&self) -> Timeline {
        Timeline {
            segs: self.segs.clone(),
            cap: self.cap,
            spent: self.spent,
            held: self.held,
            busy_since: self.busy_since,
            drawn: Mutex::default(),
        }
    }
}

impl Timeline {
    pub fn new(cap: usize) -> Timeline {
        Timeline {
            segs: VecDeque::new(),
            cap: cap.max(2),
            spent: [0; Phase::ALL.len()],
            held: 0,
            busy_since: None,
            drawn: Mutex::default(),
        }
    }

    /// Time in each phase up to `now` (the open segment counted up to it), and when the
    /// lane first left Idle.
    pub fn spent(&self, now: u64) -> ([u64; Phase::ALL.len()], Option<u64>) {
        let mut ns = self.spent;
        if let Some(last) = self.segs.back() {
            let s = last.unpack();
            if s.phase != Phase::Idle {
                let p = &mut ns[s.phase as usize];
                *p = p.saturating_add(now.saturating_sub(s.start));
            }
        }
        (ns, self.busy_since)
    }

    /// When the lane first left Idle (its start), if it has.
    pub fn busy_since(&self) -> Option<u64> {
        self.busy_since
    }

    /// Time spent holding something up to `now` (the open segment counted up to it),
    /// whatever the lane did meanwhile.
    pub fn held(&self, now: u64) -> u64 {
        let open = self.segs.back().map(|p| p.unpack()).filter(|s| s.holds());
        let open = open.map_or(0, |s| now.saturating_sub(s.start));
        self.held.saturating_add(open)
    }

    /// Records that the lane is in `phase` from `t` on, holding something if the phase is
    /// Critical (see [`Timeline::push_held`]).
    pub fn push(&mut self, t: u64, phase: Phase) {
        self.push_held(t, phase, phase == Phase::Critical);
    }

    /// Records that the lane is in `phase` from `t` on, holding a lock or a slot or not.
    /// Repeats are merged.
    pub fn push_held(&mut self, t: u64, phase: Phase, held: bool) {
        if phase != Phase::Idle && self.busy_since.is_none() {
            self.busy_since = Some(t);
        }
        if let Some(last) = self.segs.back_mut() {
            if last.same(phase, held) {
                return;
            }
            // The last segment ends at `t` (zero long if `t` is its own instant).
            let s = last.unpack();
            let ns = t.saturating_sub(s.start);
            tally_time(&mut self.spent, &mut self.held, s, ns, false);
            if last.start() >= t.min(START_MAX) {
                // Same instant: the later state replaces the earlier one.
                *last = Packed::new(s.start, phase, held);
                self.merge_tail();
                return;
            }
        }
        if self.segs.len() == self.cap {
            self.segs.pop_front();
        }
        self.segs.push_back(Packed::new(t, phase, held));
    }

    fn merge_tail(&mut self) {
        let n = self.segs.len();
        let (prev, last) = match (self.segs.get(n.wrapping_sub(2)), self.segs.back()) {
            (Some(p), Some(l)) if p.same(l.phase(), l.held()) => (p.unpack(), l.unpack()),
            _ => return,
        };
        // The previous segment goes on: the time counted as its end when the last one
        // began is not spent yet.
        let ns = last.start.saturating_sub(prev.start);
        tally_time(&mut self.spent, &mut self.held, prev, ns, true);
        self.segs.pop_back();
    }

    pub fn segments(&self) -> impl Iterator<Item = Segment> + '_ {
        self.segs.iter().map(|p| p.unpack())
    }

    pub fn len(&self) -> usize {
        self.segs.len()
    }

    /// The phase of the newest segment.
    pub fn last_phase(&self) -> Option<Phase> {
        self.segs.back().map(|p| p.phase())
    }

    pub fn is_empty(&self) -> bool {
        self.segs.is_empty()
    }

    /// The phase at instant `t` (Idle before the first segment or before what was kept).
    pub fn phase_at(&self, t: u64) -> Phase {
        let i = self.segs.partition_point(|s| s.start() <= t);
        if i == 0 {
            Phase::Idle
        } else {
            self.segs[i - 1].phase()
        }
    }

    /// The phases of `n` cells, each `step` ns wide, ending at `end` (the last cell covers
    /// `[end - step, end)`). A cell shows the weightiest phase that fills at least 1/50 of
    /// it — so a real block stays visible in a wide cell, while the microseconds of an
    /// uncontended acquire do not paint the cell as blocked — else the phase that fills most.
    ///
    /// On a grid of `step` (the window starts at a multiple of it, as the lanes panel draws
    /// it), a cell that ended before the last segment began can no longer change while what
    /// covers its start is kept: it is remembered, and the next call with the same step
    /// reuses it. So a frame walks only the segments of its newest cells and of the one the
    /// oldest kept segment falls in, not all of them (a busy lane has thousands).
    pub fn cells(&self, end: u64, step: u64, n: usize) -> Vec<Phase> {
        let step = step.max(1);
        let start = end.saturating_sub(step.saturating_mul(n as u64));
        let mut out = vec![Phase::Idle; n];
        let mut drawn = match self.drawn.try_lock() {
            Ok(d) if start.is_multiple_of(step) => d,
            _ => {
                self.walk_cells(&mut out, start, end, step);
                return out;
            }
        };
        drawn.keep(step, start / step);
        let front = self.segs.front().map_or(u64::MAX, |s| s.start());
        let settled = self.segs.back().map_or(0, |s| s.start());
        // Where the walk stands: the segment that covers the next cell's start.
        let mut at = None;
        for (c, cell) in out.iter_mut().enumerate() {
            let a = start.saturating_add(step.saturating_mul(c as u64));
            let b = a.saturating_add(step);
            if a >= end {
                break;
            }
            // Before the oldest kept segment: nothing to draw (what the walk finds too).
            if b <= front {
                continue;
            }
            let k = a / step;
            if a >= front
                && let Some(p) = drawn.get(k)
            {
                *cell = p;
                at = None;
                continue;
            }
            if a >= front && b > settled {
                // The newest cell: only the segments since the last frame are new.
                *cell = self.open_cell(&mut drawn.open, k, a, b, step);
                at = None;
                continue;
            }
            let i = at.unwrap_or_else(|| self.covering(a));
            let (p, next) = self.cell(i, a, b, step);
            *cell = p;
            at = Some(next);
            if a >= front && b <= settled {
                drawn.put(k, p);
            }
        }
        out
    }

    /// How each of the `n` cells [`Timeline::cells`] lays out (each `step` ns, ending at
    /// `end`, their phases `phases`) is drawn held, if it is: the phase the lane held a lock
    /// or a slot *in*, so that a held glyph says one thing. A cell is held in its own phase
    /// if the lane held something during that phase for at least 1/50 of the cell (as a
    /// phase must fill one to show); else, if it held something for half the cell or more,
    /// in the weightiest phase it held in (a cell half blocked, half asleep holding the
    /// lock, reads as the hold, not as "blocked while holding"); else it is not held.
    pub fn held_cells(&self, end: u64, step: u64, phases: &[Phase]) -> Vec<Option<Phase>> {
        let n = phases.len();
        let step = step.max(1);
        let start = end.saturating_sub(step.saturating_mul(n as u64));
        let min = (step / 50).max(1);
        let mut out = vec![None; n];
        // A lane that never held anything (most of them) costs no walk.
        let open_holds = self.segs.back().is_some_and(|p| p.unpack().holds());
        if n == 0 || (self.held == 0 && !open_holds) {
            return out;
        }
        // Per cell, the time held in each phase (by its weight: one slot a phase).
        let mut by_phase = vec![[0u64; Phase::ALL.len()]; n];
        let mut i = self.covering(start);
        while i < self.segs.len() {
            let s = self.segs[i].unpack();
            if s.start >= end {
                break;
            }
            let s_end = self.segs.get(i + 1).map_or(end, |x| x.start()).min(end);
            let a = s.start.max(start);
            i += 1;
            if !s.holds() || s_end <= a {
                continue;
            }
            let first = ((a - start) / step) as usize;
            let last = (((s_end - 1 - start) / step) as usize).min(n.saturating_sub(1));
            for (c, cell) in by_phase.iter_mut().enumerate().take(last + 1).skip(first) {
                let ca = start.saturating_add(step.saturating_mul(c as u64));
                let cb = ca.saturating_add(step);
                cell[s.phase.weight() as usize] += s_end.min(cb).saturating_sub(a.max(ca));
            }
        }
        for ((o, held), &p) in out.iter_mut().zip(&by_phase).zip(phases) {
            let all: u64 = held.iter().sum();
            *o = if held[p.weight() as usize] >= min {
                Some(p)
            } else if all * 2 >= step {
                // The weightiest phase held in for the minimum (one is: half the cell is).
                Phase::ALL
                    .into_iter()
                    .filter(|q| held[q.weight() as usize] >= min)
                    .max_by_key(|q| q.weight())
            } else {
                None
            };
        }
        out
    }

    /// The cells as one walk over the segments, remembering nothing.
    fn walk_cells(&self, out: &mut [Phase], start: u64, end: u64, step: u64) {
        let mut i = self.covering(start);
        for (c, cell) in out.iter_mut().enumerate() {
            let a = start.saturating_add(step.saturating_mul(c as u64));
            if a >= end {
                break;
            }
            (*cell, i) = self.cell(i, a, a.saturating_add(step), step);
        }
    }

    /// The index of the segment that covers instant `t` (0 before the first).
    fn covering(&self, t: u64) -> usize {
        self.segs
            .partition_point(|s| s.start() <= t)
            .saturating_sub(1)
    }

    /// The phase of cell `[a, b)`, walking from segment `i` (the one that covers `a`), and
    /// the segment that covers `b`, where the next cell's walk starts.
    fn cell(&self, mut i: usize, a: u64, b: u64, step: u64) -> (Phase, usize) {
        let min = (step / 50).max(1);
        let mut tally = Tally::default();
        while i < self.segs.len() {
            let seg = self.segs[i].unpack();
            let seg_end = self.segs.get(i + 1).map_or(u64::MAX, |s| s.start());
            if seg.start >= b {
                break;
            }
            tally.add(
                seg.phase,
                seg_end.min(b).saturating_sub(seg.start.max(a)),
                min,
            );
            if seg_end > b {
                break;
            }
            i += 1;
            // Blocked already wins this cell, and only Failed outweighs it: Failed comes
            // from an exit, the last segment a lane has. So the segments before the last
            // one that starts in this cell cannot change it: skip them (a busy lane has
            // thousands in one cell).
            if tally.best == Some(Phase::Blocked) {
                let last = self
                    .segs
                    .partition_point(|s| s.start() < b)
                    .saturating_sub(1);
                i = i.max(last);
            }
        }
        (tally.phase(), i)
    }

    /// The phase of cell `k`, `[a, b)`, which the last segment starts in (or before) and
    /// whose start is kept: the tally of its closed segments goes on from where `open` left
    /// it when it was this cell's, the last (still open) segment counted on top. Segments
    /// before the last cannot change once the next has begun, except when a same-instant
    /// change merges the last one back into its predecessor: then the segment `open`
    /// stopped at is gone and the cell is tallied afresh.
    fn open_cell(&self, open: &mut OpenCell, k: u64, a: u64, b: u64, step: u64) -> Phase {
        let min = (step / 50).max(1);
        let last = self.segs.len() - 1;
        let resume = Some(open.next)
            .filter(|_| open.k == Some(k))
            .map(|next| (self.segs.partition_point(|s| s.start() < next), next))
            .filter(|&(j, next)| j <= last && self.segs[j].start() == next);
        let (mut tally, mut j) = match resume {
            Some((j, _)) => (open.tally, j),
            None => (Tally::default(), self.covering(a)),
        };
        // As `cell` does: once Blocked wins, only the last segment can change it.
        while j < last && tally.best != Some(Phase::Blocked) {
            let s = self.segs[j].unpack();
            let end = self.segs[j + 1].start();
            tally.add(s.phase, end.min(b).saturating_sub(s.start.max(a)), min);
            j += 1;
        }
        let s = self.segs[last].unpack();
        *open = OpenCell {
            k: Some(k),
            tally,
            next: s.start,
        };
        tally.add(s.phase, b.saturating_sub(s.start.max(a)), min);
        tally.phase()
    }

    /// Nanoseconds spent in each phase between `from` and `to`.
    pub fn time_in(&self, phase: Phase, from: u64, to: u64) -> u64 {
        self.time_where(from, to, |s| s.phase == phase)
    }

    /// Nanoseconds spent holding something between `from` and `to`, whatever the phase.
    pub fn time_held(&self, from: u64, to: u64) -> u64 {
        self.time_where(from, to, Segment::holds)
    }

    fn time_where(&self, from: u64, to: u64, pick: impl Fn(Segment) -> bool) -> u64 {
        let mut total = 0;
        for (i, s) in self.segs.iter().map(|p| p.unpack()).enumerate() {
            let e = self.segs.get(i + 1).map_or(to, |n| n.start()).min(to);
            let b = s.start.max(from);
            if pick(s) && e > b {
                total += e - b;
            }
        }
        total
    }
}

/// What one cell's segments add up to so far: the weightiest phase that filled at least
/// the minimum, and the segment that filled most (the first of equals).
#[derive(Clone, Copy, Debug, Default)]
struct Tally {
    best: Option<Phase>,
    widest: Phase,
    widest_len: u64,
}

impl Tally {
    fn add(&mut self, phase: Phase, overlap: u64, min: u64) {
        if overlap >= min && self.best.is_none_or(|p| phase.weight() > p.weight()) {
            self.best = Some(phase);
        }
        if overlap > self.widest_len {
            (self.widest, self.widest_len) = (phase, overlap);
        }
    }

    fn phase(&self) -> Phase {
        self.best.unwrap_or(self.widest)
    }
}

/// The newest cell's tally of its closed segments, and the start of the first segment not
/// in it (the one that was open).
#[derive(Debug, Default)]
struct OpenCell {
    k: Option<u64>,
    tally: Tally,
    next: u64,
}

/// Settled cells of one step, by their index on the grid (`start / step`): a run of
/// consecutive ones from `first`, the oldest dropped once out of the window; and the
/// newest cell's running tally.
#[derive(Debug, Default)]
struct CellCache {
    step: u64,
    first: u64,
    phases: VecDeque<Phase>,
    open: OpenCell,
}

impl CellCache {
    /// Forgets everything if the step changed, and the cells before `from`.
    fn keep(&mut self, step: u64, from: u64) {
        if self.step != step {
            *self = CellCache {
                step,
                ..CellCache::default()
            };
        }
        while self.first < from && self.phases.pop_front().is_some() {
            self.first += 1;
        }
    }

    fn get(&self, k: u64) -> Option<Phase> {
        let i = usize::try_from(k.checked_sub(self.first)?).ok()?;
        self.phases.get(i).copied()
    }

    /// Remembers cell `k`; one not next to the run starts a new run.
    fn put(&mut self, k: u64, p: Phase) {
        if self.phases.is_empty() || k != self.first + self.phases.len() as u64 {
            (self.first, self.phases) = (k, VecDeque::new());
        }
        self.phases.push_back(p);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runner::gate::SplitMix;

    /// A cell is drawn held in the phase the lane held something in: a sleep or a block
    /// while holding marks its cells held in that phase; a sleep after the release does not,
    /// nor does a hold too short to fill 1/50 of a cell.
    #[test]
    fn cells_held_follow_the_held_bit_in_its_own_phase() {
        let mut tl = Timeline::new(100);
        tl.push(0, Phase::Running);
        tl.push(100, Phase::Critical);
        tl.push_held(200, Phase::Sleeping, true);
        tl.push_held(400, Phase::Blocked, true);
        tl.push(500, Phase::Sleeping);
        tl.push(700, Phase::Critical);
        tl.push(701, Phase::Running);
        let phases = tl.cells(800, 100, 8);
        let held = tl.held_cells(800, 100, &phases);
        use Phase::*;
        let want = [
            None,
            Some(Critical),
            Some(Sleeping),
            Some(Sleeping),
            Some(Blocked),
        ];
        assert_eq!(held[..5], want);
        assert_eq!(held[5..], [None, None, None]);
        assert!(tl.held_cells(800, 100, &[]).is_empty());
    }

    /// A cell half blocked (holding nothing) and half asleep holding the lock is not
    /// "blocked while holding": it is drawn as the hold, in the phase held in; a cell
    /// mostly blocked with a short hold is drawn blocked.
    #[test]
    fn a_cell_never_joins_a_hold_to_a_phase_it_was_not_held_in() {
        let mut tl = Timeline::new(100);
        tl.push(0, Phase::Blocked);
        tl.push_held(50, Phase::Sleeping, true);
        tl.push(100, Phase::Blocked);
        tl.push_held(180, Phase::Sleeping, true);
        tl.push(200, Phase::Running);
        let phases = tl.cells(200, 100, 2);
        assert_eq!(phases, [Phase::Blocked, Phase::Blocked]);
        let held = tl.held_cells(200, 100, &phases);
        assert_eq!(held, [Some(Phase::Sleeping), None]);
    }

    /// The running totals agree with summing the kept segments, through same-instant
    /// replacements and merges (a seeded random walk of phases and times).
    #[test]
    fn time_spent_matches_the_segments() {
        let mut rng = SplitMix(7);
        for _ in 0..200 {
            let mut tl = Timeline::new(10_000);
            let mut t = 0;
            for _ in 0..50 {
                t += rng.next_u64() % 3 * 10;
                let phase = Phase::ALL[(rng.next_u64() % 7) as usize];
                tl.push_held(t, phase, rng.next_u64().is_multiple_of(2));
            }
            let now = t + 5;
            let segs: Vec<_> = tl.segments().collect();
            let mut want = [0u64; Phase::ALL.len()];
            let mut held = 0;
            for (i, s) in segs.iter().enumerate() {
                let end = segs.get(i + 1).map_or(now, |n| n.start);
                if s.phase != Phase::Idle {
                    want[s.phase as usize] += end - s.start;
                }
                if s.holds() {
                    held += end - s.start;
                }
            }
            assert_eq!(tl.spent(now).0, want, "{segs:?}");
            assert_eq!(tl.held(now), held, "{segs:?}");
            assert_eq!(tl.time_held(0, now), held, "{segs:?}");
        }
    }

    /// Cells served from the cache are the cells one walk finds, frame after frame, as
    /// segments are added, merged and dropped at the front (a seeded random walk).
    #[test]
    fn remembered_cells_match_a_fresh_walk() {
        let mut rng = SplitMix(11);
        for round in 0..100 {
            let mut tl = Timeline::new(if round % 2 == 0 { 16 } else { 10_000 });
            let step = [7, 10, 100][round % 3];
            let mut t = 0;
            for _ in 0..300 {
                t += rng.next_u64() % 12;
                let phase = Phase::ALL[(rng.next_u64() % 8) as usize];
                tl.push(t, phase);
                let n = 1 + (rng.next_u64() % 40) as usize;
                let end = (t / step + 1) * step;
                let mut want = vec![Phase::Idle; n];
                let start = end.saturating_sub(step * n as u64);
                tl.walk_cells(&mut want, start, end, step);
                assert_eq!(tl.cells(end, step, n), want, "round {round} t {t}");
            }
        }
    }

    #[test]
    fn repeats_merge_and_cap_bounds_memory() {
        let mut tl = Timeline::new(4);
        tl.push(0, Phase::Running);
        tl.push(5, Phase::Running);
        assert_eq!(tl.len(), 1);
        for i in 1..100 {
            tl.push(
                i * 10,
                if i % 2 == 0 {
                    Phase::Running
                } else {
                    Phase::Blocked
                },
            );
        }
        assert_eq!(tl.len(), 4);
        assert_eq!(tl.phase_at(995), Phase::Blocked);
    }

    #[test]
    fn same_instant_changes_keep_the_last() {
        let mut tl = Timeline::new(8);
        tl.push(0, Phase::Running);
        tl.push(10, Phase::Blocked);
        tl.push(10, Phase::Running);
        assert_eq!(tl.len(), 1);
        assert_eq!(tl.phase_at(10), Phase::Running);
    }

    #[test]
    fn a_short_block_stays_visible_in_a_wide_cell() {
        let mut tl = Timeline::new(8);
        tl.push(0, Phase::Running);
        tl.push(105, Phase::Blocked);
        tl.push(108, Phase::Running);
        let cells = tl.cells(300, 100, 3);
        assert_eq!(cells, vec![Phase::Running, Phase::Blocked, Phase::Running]);
    }

    #[test]
    fn an_instant_block_does_not_paint_the_cell() {
        let mut tl = Timeline::new(8);
        tl.push(0, Phase::Sleeping);
        tl.push(10_000, Phase::Blocked);
        tl.push(10_001, Phase::Sleeping);
        assert_eq!(tl.cells(100_000, 100_000, 1), vec![Phase::Sleeping]);
    }

    #[test]
    fn a_packed_segment_keeps_its_start_phase_and_holding() {
        for p in Phase::ALL {
            for held in [false, true] {
                let s = Packed::new(123_456_789, p, held).unpack();
                assert_eq!((s.start, s.phase, s.held), (123_456_789, p, held));
            }
        }
        assert_eq!(
            Packed::new(u64::MAX, Phase::Failed, true).start(),
            START_MAX
        );
    }

    #[test]
    fn holding_counts_whatever_the_lane_does() {
        let mut tl = Timeline::new(8);
        tl.push_held(0, Phase::Running, false);
        tl.push_held(10, Phase::Critical, true);
        tl.push_held(20, Phase::Sleeping, true);
        tl.push_held(50, Phase::Blocked, true);
        tl.push_held(60, Phase::Running, false);
        assert_eq!(tl.held(100), 50);
        assert_eq!(tl.time_held(0, 100), 50);
        assert_eq!(tl.time_held(30, 55), 25);
        assert_eq!(tl.time_in(Phase::Sleeping, 0, 100), 30);
        // Ended holding it: an abandoned lock is nobody's time.
        tl.push_held(70, Phase::Critical, true);
        tl.push_held(80, Phase::Failed, true);
        assert_eq!(tl.held(200), 60);
    }

    #[test]
    fn cells_before_the_start_are_idle() {
        let mut tl = Timeline::new(8);
        tl.push(200, Phase::Sleeping);
        assert_eq!(
            tl.cells(300, 100, 3),
            vec![Phase::Idle, Phase::Idle, Phase::Sleeping]
        );
        assert_eq!(tl.time_in(Phase::Sleeping, 0, 300), 100);
    }
}
