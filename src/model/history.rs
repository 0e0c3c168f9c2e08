//! The run's recorded events, for scrubbing: the state at any earlier instant is rebuilt by
//! folding the recorded events again from a base snapshot — never by re-running.
//!
//! Bounded: past `cap` events, the oldest half is folded into the base, so memory stays flat
//! and the cursor reaches back at least `cap / 2` events.

use super::world::World;
use crate::event::Event;
use std::collections::VecDeque;

#[derive(Clone, Debug)]
pub struct History {
    base: World,
    events: VecDeque<Event>,
    /// Events folded into the base (the index of `events[0]` in the whole run).
    dropped: u64,
    cap: usize,
}

impl History {
    pub fn new(cap: usize) -> History {
        History {
            base: World::default(),
            events: VecDeque::new(),
            dropped: 0,
            cap: cap.max(2),
        }
    }

    pub fn push(&mut self, ev: &Event) {
        if self.events.len() == self.cap {
            for e in self.events.drain(..self.cap / 2) {
                self.base.apply(&e);
                self.dropped += 1;
            }
        }
        self.events.push_back(ev.clone());
    }

    /// Index (in the whole run) of the first event the cursor can reach back to.
    pub fn first(&self) -> u64 {
        self.dropped
    }

    /// Events recorded in the whole run so far.
    pub fn end(&self) -> u64 {
        self.dropped + self.events.len() as u64
    }

    /// The event with run index `i`, if still kept.
    pub fn event(&self, i: u64) -> Option<&Event> {
        let k = i.checked_sub(self.dropped)?;
        self.events.get(k as usize)
    }

    /// The world as it was after the first `n` events of the run (clamped to what is kept).
    pub fn world_after(&self, n: u64) -> World {
        let n = n.clamp(self.dropped, self.end());
        let mut w = self.base.clone();
        for e in self.events.iter().take((n - self.dropped) as usize) {
            w.apply(e);
        }
        w
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{ObjectKind, Op, WorkerKind};

    fn stream() -> Vec<Event> {
        let mut v = vec![
            Event {
                t: 0,
                pid: 1,
                w: 1,
                op: Op::Worker {
                    name: "a".into(),
                    kind: WorkerKind::Thread,
                    daemon: false,
                    parent: None,
                },
            },
            Event {
                t: 0,
                pid: 1,
                w: 1,
                op: Op::Object {
                    o: 1,
                    name: "L".into(),
                    kind: ObjectKind::Lock,
                    capacity: None,
                },
            },
        ];
        for i in 0..50u64 {
            v.push(Event {
                t: i * 10,
                pid: 1,
                w: 1,
                op: Op::AcquireBegin { o: 1 },
            });
            v.push(Event {
                t: i * 10 + 1,
                pid: 1,
                w: 1,
                op: Op::AcquireEnd {
                    o: 1,
                    ok: true,
                    depth: None,
                    value: None,
                },
            });
            v.push(Event {
                t: i * 10 + 5,
                pid: 1,
                w: 1,
                op: Op::Release {
                    o: 1,
                    depth: None,
                    value: None,
                },
            });
        }
        v
    }

    #[test]
    fn scrubbing_rebuilds_the_state_the_live_world_had_then() {
        let events = stream();
        let mut h = History::new(40);
        let mut live = World::default();
        let mut snapshots = Vec::new();
        for e in &events {
            live.apply(e);
            h.push(e);
            snapshots.push(format!("{live:?}"));
        }
        assert!(
            h.first() > 0,
            "the cap made it fold old events into the base"
        );
        for n in h.first().max(1)..=h.end() {
            let then = h.world_after(n);
            assert_eq!(
                format!("{then:?}"),
                snapshots[n as usize - 1],
                "after {n} events"
            );
        }
    }
}
