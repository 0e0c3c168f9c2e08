//! The world's log: the newest events, oldest first, in a fixed ring. Once full, a new event
//! takes the oldest one's slot: one move in and one drop, no shifting, no regrowth (a
//! `VecDeque` pops the oldest out and pushes the new one in: two moves and its bookkeeping,
//! on every event the fold sees).

use crate::event::Event;
use std::iter::FusedIterator;

#[derive(Clone, Debug, Default)]
pub struct Log {
    /// Up to `cap` events; once full, `buf[head]` is the oldest.
    buf: Vec<Event>,
    head: usize,
    cap: usize,
}

impl Log {
    /// A log that keeps the newest `cap` events (none if 0).
    pub fn new(cap: usize) -> Log {
        Log {
            buf: Vec::new(),
            head: 0,
            cap,
        }
    }

    /// Adds the newest event, dropping the oldest once full.
    #[inline]
    pub fn push(&mut self, ev: Event) {
        if self.buf.len() < self.cap {
            self.buf.push(ev);
        } else if let Some(slot) = self.buf.get_mut(self.head) {
            *slot = ev;
            self.head += 1;
            if self.head == self.buf.len() {
                self.head = 0;
            }
        }
    }

    pub fn len(&self) -> usize {
        self.buf.len()
    }

    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// The newest event.
    pub fn back(&self) -> Option<&Event> {
        let i = self
            .head
            .checked_sub(1)
            .unwrap_or(self.buf.len().checked_sub(1)?);
        self.buf.get(i)
    }

    /// The oldest event.
    pub fn front(&self) -> Option<&Event> {
        self.buf.get(self.head)
    }

    /// Oldest first.
    pub fn iter(&self) -> Iter<'_> {
        let (newer, older) = self.buf.split_at(self.head);
        Iter {
            older: older.iter(),
            newer: newer.iter(),
        }
    }
}

impl<'a> IntoIterator for &'a Log {
    type Item = &'a Event;
    type IntoIter = Iter<'a>;

    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

/// The log's events, oldest first; exact-sized and double-ended like a `VecDeque`'s.
#[derive(Clone, Debug)]
pub struct Iter<'a> {
    older: std::slice::Iter<'a, Event>,
    newer: std::slice::Iter<'a, Event>,
}

impl<'a> Iterator for Iter<'a> {
    type Item = &'a Event;

    fn next(&mut self) -> Option<&'a Event> {
        self.older.next().or_else(|| self.newer.next())
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.older.len() + self.newer.len();
        (n, Some(n))
    }

    fn nth(&mut self, n: usize) -> Option<&'a Event> {
        let k = self.older.len();
        if n < k {
            self.older.nth(n)
        } else {
            self.older = [].iter();
            self.newer.nth(n - k)
        }
    }
}

impl DoubleEndedIterator for Iter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.newer.next_back().or_else(|| self.older.next_back())
    }
}

impl ExactSizeIterator for Iter<'_> {}
impl FusedIterator for Iter<'_> {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Op;

    fn ev(t: u64) -> Event {
        Event {
            t,
            pid: 1,
            w: 0,
            op: Op::Start,
        }
    }

    fn times(log: &Log) -> Vec<u64> {
        log.iter().map(|e| e.t).collect()
    }

    #[test]
    fn keeps_the_newest_in_order() {
        let mut log = Log::new(3);
        assert!(log.back().is_none() && log.front().is_none());
        for t in 0..2 {
            log.push(ev(t));
        }
        assert_eq!(times(&log), [0, 1]);
        for t in 2..8 {
            log.push(ev(t));
            assert_eq!(log.back().map(|e| e.t), Some(t));
        }
        assert_eq!(times(&log), [5, 6, 7]);
        assert_eq!(log.front().map(|e| e.t), Some(5));
        let rev: Vec<u64> = log.iter().rev().map(|e| e.t).collect();
        assert_eq!(rev, [7, 6, 5]);
        assert_eq!(log.iter().len(), 3);
        assert_eq!(log.iter().nth(2).map(|e| e.t), Some(7));
        assert_eq!(log.iter().skip(1).map(|e| e.t).collect::<Vec<_>>(), [6, 7]);
    }

    #[test]
    fn a_zero_log_keeps_nothing() {
        let mut log = Log::new(0);
        log.push(ev(1));
        assert!(log.is_empty());
    }
}
