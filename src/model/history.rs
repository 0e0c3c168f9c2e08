//! The run's recorded events, for scrubbing: the state at any earlier instant is rebuilt by
//! folding the recorded events again from a snapshot of the world — never by re-running.
//!
//! Bounded: every `cap / 2` events the live world is cloned as a snapshot; past `cap` events
//! the oldest snapshot and the events before the next one are let go, so memory stays flat
//! (a few snapshots, at most `cap` and a half events) and the cursor reaches back at least
//! `cap / 2` events. Each event is folded once, by the live world, not a second time into a
//! base as before: snapshots cost one clone per `cap / 2` events.

use super::world::World;
use crate::event::Event;
use std::collections::VecDeque;

#[derive(Clone, Debug)]
pub struct History {
    /// (run index it was taken at, the world after that many events), oldest first; the
    /// first is at `dropped`.
    snaps: VecDeque<(u64, World)>,
    events: VecDeque<Event>,
    /// Events let go (the index of `events[0]` in the whole run).
    dropped: u64,
    cap: usize,
}

impl History {
    pub fn new(cap: usize) -> History {
        History {
            snaps: VecDeque::from([(0, World::default())]),
            events: VecDeque::new(),
            dropped: 0,
            cap: cap.max(2),
        }
    }

    /// Records `ev`; `live` is the world that folds the same events, before `ev`.
    pub fn push(&mut self, ev: &Event, live: &World) {
        let end = self.end();
        let last = self.snaps.back().map_or(0, |s| s.0);
        if end - last >= (self.cap / 2) as u64 {
            self.snaps.push_back((end, live.clone()));
        }
        while self.events.len() >= self.cap && self.snaps.len() > 1 {
            self.snaps.pop_front();
            let first = self.snaps.front().map_or(end, |s| s.0);
            self.events.drain(..(first - self.dropped) as usize);
            self.dropped = first;
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
        let (at, snap) = self
            .snaps
            .iter()
            .rev()
            .find(|s| s.0 <= n)
            .expect("the first snapshot is at the first event kept");
        let mut w = snap.clone();
        let from = (at - self.dropped) as usize;
        for e in self.events.range(from..(n - self.dropped) as usize) {
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
                    thread: None,
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
            h.push(e, &live);
            live.apply(e);
            snapshots.push(format!("{live:?}"));
        }
        assert!(h.first() > 0, "the cap let the oldest events go");
        assert!(h.end() - h.first() >= 20, "at least cap / 2 kept");
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
