//! Who goes next in a seeded run of a traced program, and the schedule it followed as a
//! string to paste back (`trace --replay 1x3.2.1x2`).
//!
//! A schedule lists the worker picked at each *choice*: a moment when nobody runs and more
//! than one parked thread could go. Moments with one candidate are not written, so the
//! string stays short, and it still fits the program after edits that leave its sequence
//! of traced operations as it was. Consecutive picks of one worker are written `WxN`
//! (no `*`: the string is pasted into a shell).

use crate::event::WorkerId;
use crate::runner::gate::SplitMix;
use std::collections::HashMap;
use std::fmt;

/// The picks at a run's choices, in order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Schedule(pub Vec<WorkerId>);

/// A schedule string that does not parse.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error(
    "bad schedule {got:?} at {bad:?}: a schedule is worker ids separated by dots, \
     each maybe repeated with xN (e.g. 1x3.2.1), as printed at the end of a seeded run"
)]
pub struct ScheduleError {
    pub got: String,
    pub bad: String,
}

impl std::str::FromStr for Schedule {
    type Err = ScheduleError;

    fn from_str(s: &str) -> Result<Schedule, ScheduleError> {
        let s = s.trim();
        let mut picks = Vec::new();
        if s.is_empty() || s == "-" {
            return Ok(Schedule(picks));
        }
        for part in s.split('.') {
            let err = || ScheduleError {
                got: s.into(),
                bad: part.into(),
            };
            let (w, n) = part.split_once('x').unwrap_or((part, "1"));
            let w: WorkerId = w.trim().parse().map_err(|_| err())?;
            let n: usize = n.trim().parse().map_err(|_| err())?;
            if n == 0 || n > 1_000_000 {
                return Err(err());
            }
            picks.extend(std::iter::repeat_n(w, n));
        }
        Ok(Schedule(picks))
    }
}

impl fmt::Display for Schedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("-");
        }
        let mut first = true;
        let mut i = 0;
        while i < self.0.len() {
            let w = self.0[i];
            let n = self.0[i..].iter().take_while(|x| **x == w).count();
            if !first {
                f.write_str(".")?;
            }
            first = false;
            if n > 1 {
                write!(f, "{w}x{n}")?;
            } else {
                write!(f, "{w}")?;
            }
            i += n;
        }
        Ok(())
    }
}

/// How a seeded run picks among the threads that can go.
#[derive(Clone, Debug)]
pub enum Strategy {
    /// Uniformly at random, from the seed.
    Random(u64),
    /// Priorities, as PCT does: each thread a random priority, the highest that can go goes;
    /// at `switches` choices drawn from the first `horizon`, the one running drops to the
    /// lowest. A few forced switches at the right places find most ordering bugs.
    Priority {
        seed: u64,
        switches: usize,
        horizon: usize,
    },
    /// The picks of a schedule, then (once they run out, or where one no longer fits) the
    /// thread that went last if it can go on, else the lowest id.
    Replay(Schedule),
}

/// The strategy at work: its PRNG, priorities and place in a schedule.
pub(super) struct Picker {
    strategy: Strategy,
    rng: SplitMix,
    prio: HashMap<WorkerId, u64>,
    change_at: Vec<usize>,
    /// Choices made so far.
    choices: usize,
    /// Replay: picks that did not fit (the program changed where it matters).
    pub misfits: usize,
    /// Replay: picks made by the rule once the schedule ran out (they follow from it).
    implied: usize,
}

impl Picker {
    pub fn new(strategy: Strategy) -> Picker {
        let seed = match &strategy {
            Strategy::Random(s) => *s,
            Strategy::Priority { seed, .. } => *seed,
            Strategy::Replay(_) => 0,
        };
        let mut rng = SplitMix(seed);
        let change_at = match &strategy {
            Strategy::Priority {
                switches, horizon, ..
            } => (0..*switches)
                .map(|_| (rng.next_u64() % (*horizon).max(1) as u64) as usize)
                .collect(),
            _ => Vec::new(),
        };
        Picker {
            strategy,
            rng,
            prio: HashMap::new(),
            change_at,
            choices: 0,
            misfits: 0,
            implied: 0,
        }
    }

    /// Picks one of `ready` (sorted, at least two); `awake` are those of them a random run
    /// prefers (not asleep on the logical clock); `last` went before.
    pub fn pick(
        &mut self,
        ready: &[WorkerId],
        awake: &[WorkerId],
        last: Option<WorkerId>,
    ) -> WorkerId {
        let n = self.choices;
        self.choices += 1;
        let fallback = || last.filter(|l| awake.contains(l)).unwrap_or(awake[0]);
        match &self.strategy {
            Strategy::Random(_) => awake[(self.rng.next_u64() % awake.len() as u64) as usize],
            // Priorities take no account of sleeps: a thread may be slow for any reason.
            Strategy::Priority { .. } => {
                for w in ready {
                    if !self.prio.contains_key(w) {
                        // Above the lowered ones (below 2^32) and distinct.
                        let p = (1 << 32) + (self.rng.next_u64() >> 8);
                        self.prio.insert(*w, p);
                    }
                }
                if self.change_at.contains(&n)
                    && let Some(l) = last
                {
                    self.prio.insert(l, n as u64);
                }
                *ready
                    .iter()
                    .max_by_key(|w| self.prio.get(w).copied().unwrap_or(0))
                    .unwrap_or(&ready[0])
            }
            Strategy::Replay(s) => match s.0.get(n) {
                Some(w) if ready.contains(w) => *w,
                Some(_) => {
                    self.misfits += 1;
                    fallback()
                }
                None => {
                    self.implied += 1;
                    fallback()
                }
            },
        }
    }

    /// Step mode on a schedule: the thread it picks at this choice among `ready` (sorted,
    /// at least two); None once its picks are used up (the user then picks freely).
    pub fn guide(&self, ready: &[WorkerId]) -> Option<WorkerId> {
        match &self.strategy {
            Strategy::Replay(s) => {
                let w = *s.0.get(self.choices)?;
                Some(if ready.contains(&w) { w } else { ready[0] })
            }
            _ => None,
        }
    }

    /// The schedule to print for a run that made `picks`: a replay that followed its
    /// schedule to the end and then only the rule prints the schedule it was given (the
    /// rest follows from it), not a longer one that reads like another interleaving.
    pub fn printable(&self, picks: &[WorkerId]) -> Schedule {
        match &self.strategy {
            Strategy::Replay(s)
                if self.misfits == 0
                    && picks.len() == s.0.len() + self.implied
                    && picks.starts_with(&s.0) =>
            {
                s.clone()
            }
            _ => Schedule(picks.to_vec()),
        }
    }

    /// Step mode on a schedule: the user let `w` go at a choice.
    pub fn followed(&mut self) {
        self.choices += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_schedule_reads_back_as_it_was_printed() {
        let s: Schedule = "1x3.2.1x2".parse().expect("parses");
        assert_eq!(s.0, vec![1, 1, 1, 2, 1, 1]);
        assert_eq!(s.to_string(), "1x3.2.1x2");
        assert_eq!("-".parse::<Schedule>(), Ok(Schedule::default()));
        assert!("1.x".parse::<Schedule>().is_err());
        assert!("1x0".parse::<Schedule>().is_err());
    }

    #[test]
    fn a_replay_that_ran_past_its_schedule_prints_the_schedule_it_was_given() {
        let given: Schedule = "1x2.2".parse().expect("parses");
        let mut p = Picker::new(Strategy::Replay(given.clone()));
        let picks: Vec<WorkerId> = (0..5)
            .map(|_| p.pick(&[0, 1, 2], &[0, 1, 2], Some(2)))
            .collect();
        assert_eq!(
            picks,
            vec![1, 1, 2, 2, 2],
            "then the rule: the last one goes on"
        );
        assert_eq!(p.printable(&picks), given);
        // A pick that did not fit: the run was another one, and says so.
        let mut p = Picker::new(Strategy::Replay(given));
        let picks: Vec<WorkerId> = (0..3).map(|_| p.pick(&[0, 2], &[0, 2], None)).collect();
        assert_eq!(p.printable(&picks).to_string(), "0x2.2");
    }

    #[test]
    fn the_same_seed_picks_the_same_and_a_replay_follows_its_picks() {
        let run = |strategy: Strategy| {
            let mut p = Picker::new(strategy);
            (0..20)
                .map(|_| p.pick(&[1, 2, 3], &[1, 2, 3], Some(1)))
                .collect::<Vec<_>>()
        };
        assert_eq!(run(Strategy::Random(9)), run(Strategy::Random(9)));
        let prio = Strategy::Priority {
            seed: 4,
            switches: 2,
            horizon: 10,
        };
        assert_eq!(run(prio.clone()), run(prio));
        let replay = run(Strategy::Replay("3.2".parse().expect("parses")));
        assert_eq!(replay[..3], [3, 2, 1]);
    }
}
