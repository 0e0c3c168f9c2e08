//! Rolling series for sparklines: a queue's depth, a semaphore's occupancy, a lock's
//! contention (its waiters), one value per bucket of virtual time (the highest seen in it),
//! in a fixed ring — so a run of any length costs the same few bytes per object. And each
//! worker's share of time running, blocked and sleeping, from its timeline.

use super::object::{Object, ObjectState};
use super::timeline::Phase;
use super::worker::Worker;

/// Buckets kept per object.
pub const SAMPLES: usize = 32;
/// Virtual time one bucket covers: 32 of them span the last 6.4 s.
pub const BUCKET_NS: u64 = 200_000_000;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Spark {
    ring: [u32; SAMPLES],
    /// Slot of the current bucket.
    head: usize,
    /// Buckets written so far (at most `SAMPLES`).
    filled: usize,
    /// The current bucket's number (t / BUCKET_NS).
    bucket: u64,
    /// The value now: what the buckets after the last change hold.
    level: u32,
    /// Where the current bucket ends (virtual ns).
    bucket_end: u64,
}

impl Spark {
    /// The value became `v` at `t`. Inlined into the fold: most changes fall in the
    /// current bucket (no division, no call).
    #[inline]
    pub fn record(&mut self, t: u64, v: u32) {
        if self.filled == 0 || t >= self.bucket_end {
            self.next_bucket(t);
        }
        self.ring[self.head] = self.ring[self.head].max(v);
        self.level = v;
    }

    #[cold]
    fn next_bucket(&mut self, t: u64) {
        self.roll(t / BUCKET_NS);
        self.bucket_end = (self.bucket + 1).saturating_mul(BUCKET_NS);
    }

    fn roll(&mut self, b: u64) {
        if self.filled == 0 {
            self.bucket = b;
            self.filled = 1;
            self.ring[self.head] = self.level;
            return;
        }
        if b <= self.bucket {
            return;
        }
        let k = (b - self.bucket).min(SAMPLES as u64) as usize;
        for _ in 0..k {
            self.head = (self.head + 1) % SAMPLES;
            self.ring[self.head] = self.level;
        }
        self.filled = (self.filled + k).min(SAMPLES);
        self.bucket = b;
    }

    /// The value now.
    pub fn level(&self) -> u32 {
        self.level
    }

    /// The last `n` buckets up to time `now`, oldest first (fewer at the start of a run).
    /// The last cell is the value now, not the highest of its bucket: a semaphore all given
    /// back or a queue drained in the run's last moment reads 0 at the right, as its card
    /// says; the bucket's peak shows once time moves on past it.
    pub fn series(&self, now: u64, n: usize) -> Vec<u32> {
        if self.filled == 0 {
            return Vec::new();
        }
        let n = n.min(SAMPLES);
        let ahead = ((now / BUCKET_NS).saturating_sub(self.bucket) as usize).min(n);
        let stored = (n - ahead).min(self.filled);
        let mut out = Vec::with_capacity(stored + ahead);
        for i in (0..stored).rev() {
            out.push(self.ring[(self.head + SAMPLES - i) % SAMPLES]);
        }
        out.extend(std::iter::repeat_n(self.level, ahead));
        if let Some(last) = out.last_mut() {
            *last = self.level;
        }
        out
    }

    /// The highest value in the ring.
    pub fn peak(&self) -> u32 {
        self.ring.iter().copied().max().unwrap_or(0).max(self.level)
    }
}

/// What an object's sparkline plots, and the top of its scale: (value now, scale).
pub fn metric(ob: &Object) -> Option<(u32, Option<u32>)> {
    let cap = |c: Option<u64>| c.filter(|&c| c > 0).map(|c| c.min(u32::MAX as u64) as u32);
    let v = value(ob)?;
    match &ob.state {
        ObjectState::Lock { .. } => Some((v, None)),
        _ => Some((v, cap(ob.capacity))),
    }
}

/// The value now of what `metric` plots (the fold samples it after every change, inlined).
#[inline]
pub fn value(ob: &Object) -> Option<u32> {
    match &ob.state {
        ObjectState::Queue { depth, .. } => Some((*depth).min(u32::MAX as u64) as u32),
        ObjectState::Semaphore { holders, .. } => Some(holders.len() as u32),
        ObjectState::Lock { .. } | ObjectState::RwLock { .. } => Some(ob.waiters.len() as u32),
        _ => None,
    }
}

/// What a sparkline's values mean, in a word: "depth", "in use", "waiting".
pub fn metric_name(ob: &Object) -> &'static str {
    match &ob.state {
        ObjectState::Queue { .. } => "depth",
        ObjectState::Semaphore { .. } => "in use",
        _ => "waiting",
    }
}

/// A worker's share of its life so far spent running (holding something or not), blocked
/// or waiting, and sleeping, in percent, up to `now`; and apart, the share it spent holding
/// a lock or a slot, whatever it did meanwhile (a sleep while holding is holding).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Shares {
    pub running: u8,
    pub blocked: u8,
    pub sleeping: u8,
    pub holding: u8,
}

/// A worker's life up to `now`: from its start to its end (or `now`). The time before and
/// after its life is nobody's, so shares of it add up to the whole.
pub fn life(w: &Worker, now: u64) -> (u64, u64) {
    let end = if w.is_done() { w.since.min(now) } else { now };
    let start = w.timeline.busy_since().unwrap_or(end).min(end);
    (start, end)
}

/// From the lane's running totals: O(1), though it is drawn for every visible lane, every
/// frame.
pub fn shares(w: &Worker, now: u64) -> Shares {
    let (from, now) = life(w, now);
    let ns = w.timeline.spent(now).0;
    let span = now - from;
    if span == 0 {
        return Shares::default();
    }
    let share = |t: u64| (t.saturating_mul(100) / span).min(100) as u8;
    let pct = |phases: &[Phase]| {
        share(
            phases
                .iter()
                .fold(0u64, |a, p| a.saturating_add(ns[*p as usize])),
        )
    };
    Shares {
        running: pct(&[Phase::Running, Phase::Critical]),
        blocked: pct(&[Phase::Blocked, Phase::Waiting]),
        sleeping: pct(&[Phase::Sleeping]),
        holding: share(w.timeline.held(now)),
    }
}

/// Where a worker's time went over its life up to `now` (as much of it as its timeline
/// keeps), in ns: running (holding something or not), holding (whatever else it did: a
/// sleep while holding is holding), sleeping, waiting, blocked and parked at the step
/// gate. All but holding add up to the span.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TimeOver {
    pub span: u64,
    pub running: u64,
    pub holding: u64,
    pub sleeping: u64,
    pub waiting: u64,
    pub blocked: u64,
    /// At the step gate (a stepped traced program): the user's time, not the program's.
    pub parked: u64,
}

impl TimeOver {
    /// The shares the lane has (more than no time), in the legend's order: running, holding,
    /// sleeping, waiting, blocked — so a lane that only waited says so, and no line is spent
    /// on a 0%.
    pub fn parts(&self) -> Vec<(Phase, u64)> {
        [
            (Phase::Running, self.running),
            (Phase::Critical, self.holding),
            (Phase::Sleeping, self.sleeping),
            (Phase::Waiting, self.waiting),
            (Phase::Blocked, self.blocked),
            (Phase::Parked, self.parked),
        ]
        .into_iter()
        .filter(|&(_, t)| t > 0)
        .collect()
    }
}

/// The details' time shares, from the kept segments.
pub fn time_over(w: &Worker, now: u64) -> TimeOver {
    let (start, to) = life(w, now);
    let tl = &w.timeline;
    let kept = tl.segments().next().map_or(to, |s| s.start);
    let from = start.max(kept).min(to);
    let t = |p| tl.time_in(p, from, to);
    TimeOver {
        span: to - from,
        running: t(Phase::Running) + t(Phase::Critical),
        holding: tl.time_held(from, to),
        sleeping: t(Phase::Sleeping),
        waiting: t(Phase::Waiting),
        blocked: t(Phase::Blocked),
        parked: t(Phase::Parked),
    }
}

#[cfg(test)]
mod time_tests {
    use super::*;

    /// A drop in the run's last bucket shows at the right: the last cell is the value now.
    #[test]
    fn the_last_cell_is_the_value_now() {
        let mut s = Spark::default();
        s.record(0, 1);
        s.record(BUCKET_NS, 5);
        s.record(BUCKET_NS + 1, 0);
        assert_eq!(s.series(BUCKET_NS + 1, 4), [1, 0]);
        // Once time moves past that bucket, its peak is kept.
        assert_eq!(s.series(2 * BUCKET_NS, 4), [1, 5, 0]);
    }

    /// A lane that only waited has one share, waiting, and no line spent on a 0%.
    #[test]
    fn parts_are_the_shares_the_lane_has() {
        let main = TimeOver {
            span: 10,
            waiting: 10,
            ..TimeOver::default()
        };
        assert_eq!(main.parts(), [(Phase::Waiting, 10)]);
        let busy = TimeOver {
            span: 10,
            running: 4,
            holding: 2,
            blocked: 6,
            ..TimeOver::default()
        };
        let phases: Vec<Phase> = busy.parts().into_iter().map(|(p, _)| p).collect();
        assert_eq!(phases, [Phase::Running, Phase::Critical, Phase::Blocked]);
    }
}
